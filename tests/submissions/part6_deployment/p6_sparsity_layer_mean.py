"""sparsity averages the per-layer fractions without weighting each layer by its size.

expect_fail: sparsity_linear_weights
"""
# %% pruning +
def sparsity(model):
    layers_ = [m for m in model.modules() if isinstance(m, nn.Linear)]
    return float(np.mean([float((m.weight == 0).float().mean()) for m in layers_]))
