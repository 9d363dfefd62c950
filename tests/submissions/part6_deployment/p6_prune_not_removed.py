"""Prunes every Linear with l1_unstructured but never calls prune.remove: weight_orig, weight_mask and hooks stay.

expect_fail: prune_permanent
"""
# %% pruning +
def prune_model(model, amount):
    for module in model.modules():
        if isinstance(module, nn.Linear):
            prune.l1_unstructured(module, name="weight", amount=amount)
    return model
