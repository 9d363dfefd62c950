"""unfreeze_last counts every child module (ReLU, MaxPool, Flatten...), not only the layers with parameters.

expect_fail: transfer_unfreeze
"""
# %% transfer +
def unfreeze_last(model, n_layers):
    children = list(model.base.children())
    for module in children[len(children) - n_layers:]:
        for param in module.parameters():
            param.requires_grad = True
