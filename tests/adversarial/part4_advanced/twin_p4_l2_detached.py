"""l2_penalty returns the right value as a new tensor, cut off from the graph (torch.tensor(total)).

expect_fail: l2_penalty_differentiable
"""
# %% regularization +
def l2_penalty(model):
    total = 0.0
    for module in model.modules():
        if isinstance(module, nn.Linear):
            total += float((module.weight.detach() ** 2).sum())
    return torch.tensor(total)
