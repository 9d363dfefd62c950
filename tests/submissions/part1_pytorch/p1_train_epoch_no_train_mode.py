"""train_epoch never calls model.train(): after an evaluation, Dropout and BatchNorm stay in eval mode while training.

expect_fail: train_epoch_train_mode
"""
# %% train_eval +
def train_epoch(model, loader, criterion, optimizer, device="cpu"):
    total, count = 0.0, 0
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        count += len(xb)
    return total / count
