"""load_config checks the three sections but not the keys inside them.

expect_fail: config_missing_keys
"""
# %% config +
def load_config(path):
    with open(path) as fh:
        config = yaml.safe_load(fh) or {}
    for section in ["model", "training", "data"]:
        if section not in config:
            raise ValueError(f"Falta la sección '{section}'")
    return config
