"""train_on_device moves every batch but never the model.

expect_fail: to_device_moves
"""
# %% to_device +
def train_on_device(model, loader, device, epochs=1, lr=1e-3, loss_fn=None):
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    return model
