"""The PyTorch branch saves a freshly built model instead of the trained one (and compares it with itself).

expect_fail: pipeline_pytorch
"""
# %% pipeline +
_reference_run_pipeline = run_pipeline


def run_pipeline(config, framework, output_dir):
    result = _reference_run_pipeline(config, framework, output_dir)
    if framework == "pytorch":
        fresh = MultiTaskNet(config["model"]["width"], config["model"]["num_blocks"])
        torch.save(fresh.state_dict(), result["model_path"])
    return result
