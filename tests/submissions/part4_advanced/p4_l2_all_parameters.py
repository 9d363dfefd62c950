"""l2_penalty sums the squares of every parameter: biases and BatchNorm are penalised too.

expect_fail: l2_penalty_value, l2_penalty_differentiable
"""
# %% regularization +
def l2_penalty(model):
    return sum((p ** 2).sum() for p in model.parameters())
