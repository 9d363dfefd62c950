"""Central finite differences instead of autograd: accurate here, but not autograd.

expect_fail: derivative_uses_autograd
"""
# %% derivative
def derivative_at(f, x0):
    h = 1e-6
    x = torch.tensor(float(x0), dtype=torch.float64)
    return ((f(x + h) - f(x - h)) / (2 * h)).item()
