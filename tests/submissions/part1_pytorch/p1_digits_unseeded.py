"""train_digits_mlp shuffles with the global generator and never seeds it: the seed argument changes nothing.

expect_fail: digits_mlp_seeded
"""
# %% digits_mlp +
def train_digits_mlp(model, X_train, y_train, epochs=10, batch_size=64, lr=1e-3, seed=0):
    dataset = TensorDataset(torch.as_tensor(X_train, dtype=torch.float32), torch.as_tensor(y_train, dtype=torch.long))
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    return [train_epoch(model, loader, nn.CrossEntropyLoss(), optimizer) for _ in range(epochs)]
