"""The epoch loss is the plain mean of the batch losses: wrong when the last batch is shorter.

expect_fail: train_epoch_weighted_loss
"""
# %% train_eval +
def train_epoch(model, loader, criterion, optimizer, device="cpu"):
    model.train()
    losses = []
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)

