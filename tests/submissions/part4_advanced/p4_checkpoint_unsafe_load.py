"""load_checkpoint uses torch.load(..., weights_only=False): a tampered file runs arbitrary code.

expect_fail: checkpoint_weights_only
"""
# %% checkpoint +
def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=False)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    return int(checkpoint["epoch"]), float(checkpoint["loss"])
