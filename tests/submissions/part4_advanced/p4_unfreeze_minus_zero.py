"""unfreeze_last slices layers[-n_layers:]: with n_layers=0 that is the whole list, so everything is unfrozen.

expect_fail: transfer_unfreeze
"""
# %% transfer +
def unfreeze_last(model, n_layers):
    layers_with_params = [m for m in model.base.modules() if list(m.parameters(recurse=False))]
    for module in layers_with_params[-n_layers:]:
        for param in module.parameters():
            param.requires_grad = True
