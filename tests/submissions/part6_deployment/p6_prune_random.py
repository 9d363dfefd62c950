"""Uses random_unstructured instead of L1: the zeroed weights are not the smallest ones.

expect_fail: prune_smallest_only
"""
# %% pruning +
def prune_model(model, amount):
    torch.manual_seed(0)
    for module in model.modules():
        if isinstance(module, nn.Linear):
            prune.random_unstructured(module, name="weight", amount=amount)
            prune.remove(module, "weight")
    return model
