"""Prunes every module that has a weight and a bias (BatchNorm included, biases too), not only Linear weights.

expect_fail: prune_smallest_only
"""
# %% pruning +
def prune_model(model, amount):
    for module in model.modules():
        for name in ("weight", "bias"):
            if isinstance(getattr(module, name, None), nn.Parameter):
                prune.l1_unstructured(module, name=name, amount=amount)
                prune.remove(module, name)
    return model
