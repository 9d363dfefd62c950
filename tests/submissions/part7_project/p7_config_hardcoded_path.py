"""load_config ignores its path argument and always opens 'config.yaml'.

expect_fail: config_loads_shipped_file, config_missing_keys
"""
# %% config +
_reference_load_config = load_config


def load_config(path):
    return _reference_load_config("config.yaml")
