"""get_device ignores prefer_gpu: with a GPU it always returns cuda.

expect_fail: devices_get_device
"""
# %% devices +
def get_device(prefer_gpu=True):
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
