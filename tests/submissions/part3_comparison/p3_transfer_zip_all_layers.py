"""Zips all the layers of both models (ReLU/Dropout included), so only the first Linear meets its Dense.

expect_fail: transfer_torch_to_keras, transfer_keras_to_torch
"""
# %% weight_transfer
def torch_to_keras(torch_model, keras_model):
    for module, layer in zip(torch_model.children(), keras_model.layers):
        if isinstance(module, nn.Linear) and isinstance(layer, layers.Dense):
            layer.set_weights([module.weight.detach().numpy().T, module.bias.detach().numpy()])


def keras_to_torch(keras_model, torch_model):
    with torch.no_grad():
        for module, layer in zip(torch_model.children(), keras_model.layers):
            if isinstance(module, nn.Linear) and isinstance(layer, layers.Dense):
                kernel, bias = layer.get_weights()
                module.weight.copy_(torch.from_numpy(kernel.T))
                module.bias.copy_(torch.from_numpy(bias))
