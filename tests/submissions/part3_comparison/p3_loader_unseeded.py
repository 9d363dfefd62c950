"""shuffle=True without a generator: the order ignores seed and changes from one loader to the next.

expect_fail: torch_loader_seeded
"""
# %% datasets +
def make_torch_loader(X, y, batch_size=32, shuffle=True, seed=0):
    return DataLoader(ArrayDataset(X, y), batch_size=batch_size, shuffle=shuffle)
