"""Only the weight matrices are copied (transposed); the biases are left as they were.

expect_fail: transfer_torch_to_keras, transfer_keras_to_torch
"""
# %% weight_transfer
def torch_to_keras(torch_model, keras_model):
    linears = [m for m in torch_model.modules() if isinstance(m, nn.Linear)]
    denses = [l for l in keras_model.layers if isinstance(l, layers.Dense)]
    for linear, dense in zip(linears, denses):
        dense.kernel.assign(linear.weight.detach().numpy().T)


def keras_to_torch(keras_model, torch_model):
    linears = [m for m in torch_model.modules() if isinstance(m, nn.Linear)]
    denses = [l for l in keras_model.layers if isinstance(l, layers.Dense)]
    with torch.no_grad():
        for linear, dense in zip(linears, denses):
            linear.weight.copy_(torch.from_numpy(dense.kernel.numpy().T))
