"""unfreeze_last also puts the base back in train mode ("to train it"): its BatchNorm statistics drift on the next
forward pass.

expect_fail: transfer_unfreeze
"""
# %% transfer +
def unfreeze_last(model, n_layers):
    with_params = [m for m in model.base.modules() if any(True for _ in m.parameters(recurse=False))]
    if n_layers > 0:
        for module in with_params[-n_layers:]:
            for param in module.parameters():
                param.requires_grad = True
    model.base.train()
