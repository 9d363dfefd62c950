"""run_pipeline trains with Adam's default learning rate: config['training']['learning_rate'] is never used.

expect_fail: pipeline_follows_config
"""
# %% pipeline +
_reference_run_pipeline = run_pipeline


def run_pipeline(config, framework, output_dir):
    config = copy.deepcopy(config)
    config["training"]["learning_rate"] = 1e-3
    return _reference_run_pipeline(config, framework, output_dir)
