"""Only the kernels are transferred (correctly): the biases of the convolution and of the dense layer are forgotten.

expect_fail: conv_transfer_torch_to_keras, conv_transfer_keras_to_torch
"""
# %% conv_transfer
def torch_cnn_to_keras(torch_model, keras_model):
    conv_w = torch_model.conv.weight.detach().numpy()
    keras_model.get_layer("conv").kernel.assign(conv_w.transpose(2, 3, 1, 0))
    fc_w = torch_model.fc.weight.detach().numpy()
    keras_model.get_layer("fc").kernel.assign(fc_w.reshape(10, 8, 4, 4).transpose(2, 3, 1, 0).reshape(128, 10))


def keras_cnn_to_torch(keras_model, torch_model):
    conv_k = keras_model.get_layer("conv").kernel.numpy()
    fc_k = keras_model.get_layer("fc").kernel.numpy()
    with torch.no_grad():
        torch_model.conv.weight.copy_(torch.from_numpy(conv_k.transpose(3, 2, 0, 1).copy()))
        torch_model.fc.weight.copy_(torch.from_numpy(fc_k.reshape(4, 4, 8, 10).transpose(3, 2, 0, 1).reshape(10, 128)))
