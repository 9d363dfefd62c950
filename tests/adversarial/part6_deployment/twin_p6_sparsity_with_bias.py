"""sparsity counts the zeros of the biases as well as those of the weights.

expect_fail: sparsity_linear_weights
"""
# %% pruning +
def sparsity(model):
    tensors = [t for m in model.modules() if isinstance(m, nn.Linear) for t in (m.weight, m.bias)]
    return sum(int((t == 0).sum()) for t in tensors) / sum(t.numel() for t in tensors)
