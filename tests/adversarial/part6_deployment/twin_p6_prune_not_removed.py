"""prune_model prunes but never calls prune.remove: weight_orig, weight_mask and the hooks stay.

expect_fail: prune_permanent
"""
# %% pruning +
def prune_model(model, amount):
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    prune.global_unstructured([(m, "weight") for m in linears], pruning_method=prune.L1Unstructured, amount=amount)
    return model
