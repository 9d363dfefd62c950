"""keras_to_torch copies into the parameters in place outside torch.no_grad(): autograd refuses.

expect_fail: transfer_keras_to_torch
"""
# %% weight_transfer +
def keras_to_torch(keras_model, torch_model):
    linears = [m for m in torch_model.modules() if isinstance(m, nn.Linear)]
    denses = [l for l in keras_model.layers if isinstance(l, layers.Dense)]
    for linear, dense in zip(linears, denses):
        kernel, bias = dense.get_weights()
        linear.weight.copy_(torch.from_numpy(kernel.T))
        linear.bias.copy_(torch.from_numpy(bias))
