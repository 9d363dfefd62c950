"""gradient_descent never clears x.grad: the gradients accumulate from one step to the next.

expect_fail: gd_iterates
"""
# %% gd_1d
def gradient_descent(f, x0, lr, steps):
    x = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    xs = [float(x0)]
    for _ in range(steps):
        f(x).backward()
        with torch.no_grad():
            x -= lr * x.grad
        xs.append(x.item())
    return xs
