"""l2_penalty returns a Python float (.item()): the penalty is cut off from the graph.

expect_fail: l2_penalty_value, l2_penalty_differentiable
"""
# %% regularization +
def l2_penalty(model):
    total = 0.0
    for module in model.modules():
        if isinstance(module, nn.Linear):
            total += (module.weight ** 2).sum().item()
    return total
