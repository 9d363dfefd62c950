"""Weights are reshaped to the other framework's layout instead of transposed.

expect_fail: transfer_torch_to_keras, transfer_keras_to_torch
"""
# %% weight_transfer
def torch_to_keras(torch_model, keras_model):
    linears = [m for m in torch_model.modules() if isinstance(m, nn.Linear)]
    denses = [l for l in keras_model.layers if isinstance(l, layers.Dense)]
    for linear, dense in zip(linears, denses):
        kernel = linear.weight.detach().numpy().reshape(dense.kernel.shape)
        dense.set_weights([kernel, linear.bias.detach().numpy()])


def keras_to_torch(keras_model, torch_model):
    linears = [m for m in torch_model.modules() if isinstance(m, nn.Linear)]
    denses = [l for l in keras_model.layers if isinstance(l, layers.Dense)]
    with torch.no_grad():
        for linear, dense in zip(linears, denses):
            kernel, bias = dense.get_weights()
            linear.weight.copy_(torch.from_numpy(kernel.reshape(tuple(linear.weight.shape))))
            linear.bias.copy_(torch.from_numpy(bias))
