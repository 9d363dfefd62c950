"""The loss is recomputed after optimizer.step(): the curve is shifted one epoch from NumPy's.

expect_fail: train_sgd_matches_numpy
"""
# %% train_sgd
def train_pytorch(model_pt, X, y, lr=0.01, epochs=100):
    X_t, y_t = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.long)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model_pt.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss_fn(model_pt(X_t), y_t).backward()
        optimizer.step()
        with torch.no_grad():
            losses.append(loss_fn(model_pt(X_t), y_t).item())
    return losses
