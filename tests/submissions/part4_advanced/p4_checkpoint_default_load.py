"""load_checkpoint calls torch.load(path) and relies on the default, which was unsafe before PyTorch 2.6.

expect_fail: checkpoint_weights_only
"""
# %% checkpoint +
def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    return int(checkpoint["epoch"]), float(checkpoint["loss"])
