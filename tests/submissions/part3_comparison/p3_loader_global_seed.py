"""Seeds the global generator when the loader is created: the order depends on what runs before iterating.

expect_fail: torch_loader_seeded
"""
# %% datasets +
def make_torch_loader(X, y, batch_size=32, shuffle=True, seed=0):
    torch.manual_seed(seed)
    return DataLoader(ArrayDataset(X, y), batch_size=batch_size, shuffle=shuffle)
