"""train_on_device ignores its lr argument and always trains with Adam's default 1e-3.

expect_fail: to_device_trains
"""
# %% to_device
def train_on_device(model, loader, device, epochs=1, lr=1e-3, loss_fn=None):
    model = model.to(device)
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    optimizer = torch.optim.Adam(model.parameters())
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    return model
