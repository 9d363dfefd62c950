"""load_config checks sections and keys but not that the file holds a dict: an empty file gives a TypeError.

expect_fail: config_missing_keys
"""
# %% config +
def load_config(path):
    with open(path) as fh:
        config = yaml.safe_load(fh)
    for section, keys in REQUIRED_KEYS.items():
        if section not in config:
            raise ValueError(f"Falta la sección '{section}'")
        for key in keys:
            if key not in config[section]:
                raise ValueError(f"Falta la clave '{key}' en la sección '{section}'")
    return config
