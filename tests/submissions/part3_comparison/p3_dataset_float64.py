"""ArrayDataset keeps the features' dtype (float64 from NumPy) instead of float32.

expect_fail: dataset_items
"""
# %% datasets +
class ArrayDataset(Dataset):
    def __init__(self, X, y, transform=None):
        self.X = torch.from_numpy(np.asarray(X))
        self.y = torch.from_numpy(np.asarray(y))
        self.transform = transform

    def __len__(self):
        return len(self.X)

    def __getitem__(self, idx):
        x = self.X[idx]
        return (self.transform(x) if self.transform else x), self.y[idx]
