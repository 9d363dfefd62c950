"""train_epoch never calls optimizer.zero_grad(): gradients pile up from batch to batch.

expect_fail: train_epoch_matches_reference, train_epoch_weighted_loss
"""
# %% train_eval +
def train_epoch(model, loader, criterion, optimizer, device="cpu"):
    model.train()
    total, count = 0.0, 0
    for xb, yb in loader:
        loss = criterion(model(xb.to(device)), yb.to(device))
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        count += len(xb)
    return total / count

