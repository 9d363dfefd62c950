"""log_scalars numbers the epochs from 1 instead of using the epoch index.

expect_fail: tensorboard_roundtrip
"""
# %% tensorboard
def log_scalars(log_dir, history):
    writer = SummaryWriter(log_dir=str(log_dir))
    for tag, values in history.items():
        for epoch, value in enumerate(values, start=1):
            writer.add_scalar(tag, value, epoch)
    writer.close()
