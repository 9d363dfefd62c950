"""l2_penalty selects parameters whose name ends in "weight", which includes BatchNorm's scale.

expect_fail: l2_penalty_value, l2_penalty_differentiable
"""
# %% regularization +
def l2_penalty(model):
    return sum((p ** 2).sum() for name, p in model.named_parameters() if name.endswith("weight"))
