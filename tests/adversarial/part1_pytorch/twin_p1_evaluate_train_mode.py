"""evaluate forgets model.eval() and torch.no_grad(): Dropout stays on and BatchNorm statistics move.

expect_fail: evaluate_eval_no_grad, evaluate_loss_accuracy
"""
# %% train_eval +
def evaluate(model, loader, criterion, device="cpu"):
    total, correct, count = 0.0, 0, 0
    for xb, yb in loader:
        out = model(xb.to(device))
        total += criterion(out, yb.to(device)).item() * len(xb)
        correct += (out.argmax(dim=1) == yb.to(device)).sum().item()
        count += len(xb)
    return total / count, correct / count
