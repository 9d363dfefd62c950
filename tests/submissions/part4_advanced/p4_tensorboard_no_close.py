"""log_scalars never closes (or flushes) the SummaryWriter: the events stay in its buffer and cannot be read back.

expect_fail: tensorboard_roundtrip
"""
# %% tensorboard
def log_scalars(log_dir, history):
    writer = SummaryWriter(log_dir=str(log_dir))
    for tag, values in history.items():
        for step, value in enumerate(values):
            writer.add_scalar(tag, value, step)
