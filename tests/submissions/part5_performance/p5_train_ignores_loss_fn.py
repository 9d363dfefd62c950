"""train_on_device always trains with CrossEntropyLoss and ignores the loss_fn it receives.

expect_fail: to_device_trains
"""
# %% to_device +
def train_on_device(model, loader, device, epochs=1, lr=1e-3, loss_fn=None):
    model = model.to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            criterion(model(xb), yb).backward()
            optimizer.step()
    return model
