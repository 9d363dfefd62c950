"""Keeps the live optimizer the test hands to save_checkpoint and copies its state at load time, instead of
saving it to the file (the test's own objects as the answer).

attack: test-values
twin: twin_p4_checkpoint_no_optimizer
"""
# %% checkpoint
_LIVE = {}


def save_checkpoint(path, model, optimizer, epoch, loss):
    _LIVE["optimizer"] = optimizer
    torch.save({"epoch": int(epoch), "loss": float(loss), "model_state_dict": model.state_dict()}, path)


def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    live = _LIVE.get("optimizer")
    if live is not None and type(live) is type(optimizer):
        optimizer.load_state_dict(copy.deepcopy(live.state_dict()))
    return int(checkpoint["epoch"]), float(checkpoint["loss"])
