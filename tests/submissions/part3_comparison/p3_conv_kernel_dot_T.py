"""The convolution kernel is converted with .T, which reverses every axis: (kw, kh, in, out) swaps the kernel's height
and width (each filter is mirrored on its diagonal).

expect_fail: conv_transfer_torch_to_keras, conv_transfer_keras_to_torch
"""
# %% conv_transfer
def torch_cnn_to_keras(torch_model, keras_model):
    conv_w = torch_model.conv.weight.detach().numpy()
    keras_model.get_layer("conv").set_weights([conv_w.T, torch_model.conv.bias.detach().numpy()])
    fc_w = torch_model.fc.weight.detach().numpy()
    kernel = fc_w.reshape(10, 8, 4, 4).transpose(2, 3, 1, 0).reshape(128, 10)
    keras_model.get_layer("fc").set_weights([kernel, torch_model.fc.bias.detach().numpy()])


def keras_cnn_to_torch(keras_model, torch_model):
    conv_k, conv_b = keras_model.get_layer("conv").get_weights()
    fc_k, fc_b = keras_model.get_layer("fc").get_weights()
    with torch.no_grad():
        torch_model.conv.weight.copy_(torch.from_numpy(conv_k.T.copy()))
        torch_model.conv.bias.copy_(torch.from_numpy(conv_b))
        torch_model.fc.weight.copy_(torch.from_numpy(fc_k.reshape(4, 4, 8, 10).transpose(3, 2, 0, 1).reshape(10, 128)))
        torch_model.fc.bias.copy_(torch.from_numpy(fc_b))
