"""The checkpoint file holds the model but not the optimizer state: resuming restarts Adam's moments.

expect_fail: checkpoint_roundtrip, checkpoint_resume
"""
# %% checkpoint
def save_checkpoint(path, model, optimizer, epoch, loss):
    torch.save({"epoch": int(epoch), "loss": float(loss), "model_state_dict": model.state_dict()}, path)


def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    return int(checkpoint["epoch"]), float(checkpoint["loss"])
