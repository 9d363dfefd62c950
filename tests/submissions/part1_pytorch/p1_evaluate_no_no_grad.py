"""evaluate calls model.eval() but forgets torch.no_grad(): every evaluation builds an autograd graph.

expect_fail: evaluate_eval_no_grad
"""
# %% train_eval +
def evaluate(model, loader, criterion, device="cpu"):
    model.eval()
    total, correct, count = 0.0, 0, 0
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        out = model(xb)
        total += criterion(out, yb).item() * len(xb)
        correct += (out.argmax(dim=1) == yb).sum().item()
        count += len(xb)
    return total / count, correct / count
