"""The training loop never calls optimizer.zero_grad(): gradients pile up epoch after epoch.

expect_fail: train_sgd_matches_numpy
"""
# %% train_sgd
def train_pytorch(model_pt, X, y, lr=0.01, epochs=100):
    X_t, y_t = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.long)
    optimizer = torch.optim.SGD(model_pt.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        loss = nn.CrossEntropyLoss()(model_pt(X_t), y_t)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
