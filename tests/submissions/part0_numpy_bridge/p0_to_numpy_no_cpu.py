"""to_numpy forgets .cpu(): works on a CPU tensor, crashes on a GPU tensor.

expect_fail: convert_to_numpy
"""
# %% convert
def to_torch(x):
    return torch.from_numpy(x)


def to_numpy(t):
    return t.detach().numpy()
