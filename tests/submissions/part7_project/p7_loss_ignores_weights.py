"""multitask_loss adds the two cross-entropies and ignores the weights argument.

expect_fail: multitask_loss_weighted
"""
# %% torch_multitask +
def multitask_loss(outputs, targets, weights=(1.0, 0.5)):
    return F.cross_entropy(outputs[0], targets[0]) + F.cross_entropy(outputs[1], targets[1])
