"""load_config returns whatever the YAML holds: a missing key only shows up later as a KeyError.

expect_fail: config_missing_keys
"""
# %% config +
def load_config(path):
    with open(path) as fh:
        return yaml.safe_load(fh)
