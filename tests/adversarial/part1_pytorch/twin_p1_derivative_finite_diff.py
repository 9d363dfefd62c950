"""derivative_at uses a central finite difference instead of autograd.

expect_fail: derivative_uses_autograd
"""
# %% derivative
def derivative_at(f, x0):
    h = 1e-4
    x = torch.tensor(float(x0), dtype=torch.float64)
    return float((f(x + h) - f(x - h)) / (2 * h))
