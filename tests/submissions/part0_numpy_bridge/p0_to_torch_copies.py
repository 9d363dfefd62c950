"""to_torch copies the array with torch.tensor instead of sharing memory with torch.from_numpy.

expect_fail: convert_to_torch
"""
# %% convert
def to_torch(x):
    return torch.tensor(x)


def to_numpy(t):
    return t.detach().cpu().numpy()
