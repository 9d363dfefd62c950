"""train_digits_mlp returns the loss of every batch instead of one mean loss per epoch.

expect_fail: digits_mlp_training
"""
# %% digits_mlp
def build_digits_mlp():
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))


def train_digits_mlp(model, X_train, y_train, epochs=10, batch_size=64, lr=1e-3, seed=0):
    torch.manual_seed(seed)
    loader = DataLoader(TensorDataset(torch.as_tensor(X_train), torch.as_tensor(y_train)),
                        batch_size=batch_size, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses
