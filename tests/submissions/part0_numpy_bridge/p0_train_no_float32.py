"""train_pytorch feeds X as it comes: a float64 X reaches the float32 model and fails (mat1 and mat2 dtypes).

expect_fail: train_sgd_returns_losses
"""
# %% train_sgd
def train_pytorch(model_pt, X, y, lr=0.01, epochs=100):
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(np.asarray(y)).long()
    optimizer = torch.optim.SGD(model_pt.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = F.cross_entropy(model_pt(X_t), y_t)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
