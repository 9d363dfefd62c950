"""train_on_device moves the model but feeds every batch as the loader gives it (on the CPU).

expect_fail: to_device_moves_batches
"""
# %% to_device +
def train_on_device(model, loader, device, epochs=1, lr=1e-3, loss_fn=None):
    model = model.to(device)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
    return model
