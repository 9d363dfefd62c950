"""The DataLoader drops the last incomplete batch (drop_last=True): some samples never appear in an epoch.

expect_fail: torch_loader_epoch
"""
# %% datasets +
def make_torch_loader(X, y, batch_size=32, shuffle=True, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(ArrayDataset(X, y), batch_size=batch_size, shuffle=shuffle, generator=generator, drop_last=True)
