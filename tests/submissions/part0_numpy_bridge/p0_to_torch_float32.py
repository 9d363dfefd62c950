"""to_torch converts to float32 (torch.from_numpy(x).float()): a float64 array loses its dtype and is copied.

expect_fail: convert_to_torch
"""
# %% convert
def to_torch(x):
    return torch.from_numpy(x).float()


def to_numpy(t):
    return t.detach().cpu().numpy()
