"""train_digits_mlp always uses batches of 64: the batch_size argument is ignored.

expect_fail: digits_mlp_training
"""
# %% digits_mlp +
def train_digits_mlp(model, X_train, y_train, epochs=10, batch_size=64, lr=1e-3, seed=0):
    torch.manual_seed(seed)
    dataset = TensorDataset(torch.as_tensor(X_train, dtype=torch.float32), torch.as_tensor(y_train, dtype=torch.long))
    loader = DataLoader(dataset, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    return [train_epoch(model, loader, nn.CrossEntropyLoss(), optimizer) for _ in range(epochs)]
