"""sparsity counts every parameter of the Linear layers, biases included.

expect_fail: sparsity_linear_weights
"""
# %% pruning +
def sparsity(model):
    params = [p for m in model.modules() if isinstance(m, nn.Linear) for p in m.parameters()]
    return sum(int((p == 0).sum()) for p in params) / sum(p.numel() for p in params)
