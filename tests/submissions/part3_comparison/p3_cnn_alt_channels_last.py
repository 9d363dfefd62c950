"""A correct alternative: the PyTorch CNN moves its channels last before flattening (so it flattens (h, w, c), like
Keras), the Keras CNN is a subclassed model whose layers are named conv and fc, and the transfers only transpose the
dense weights (and use permute/set_weights).

expect: full
"""
# %% cnn_twins
class TorchCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv(x.reshape(x.shape[0], 1, 8, 8))))
        return self.fc(x.permute(0, 2, 3, 1).reshape(x.shape[0], -1))   # aplana (h, w, c), como Keras


class KerasCNN(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.image = layers.Reshape((8, 8, 1))
        self.conv = layers.Conv2D(8, 3, padding="same", activation="relu", name="conv")
        self.pool = layers.MaxPooling2D()
        self.flatten = layers.Flatten()
        self.fc = layers.Dense(10, name="fc")

    def call(self, x):
        return self.fc(self.flatten(self.pool(self.conv(self.image(x)))))


def build_torch_cnn():
    return TorchCNN()


def build_keras_cnn():
    model = KerasCNN()
    model(np.zeros((1, 64), np.float32))
    return model

# %% conv_transfer
def torch_cnn_to_keras(torch_model, keras_model):
    with torch.no_grad():
        keras_model.get_layer("conv").set_weights([torch_model.conv.weight.permute(2, 3, 1, 0).numpy(),
                                                   torch_model.conv.bias.numpy()])
        keras_model.get_layer("fc").set_weights([torch_model.fc.weight.T.numpy(), torch_model.fc.bias.numpy()])


def keras_cnn_to_torch(keras_model, torch_model):
    kernel, bias = keras_model.get_layer("conv").get_weights()
    dense_kernel, dense_bias = keras_model.get_layer("fc").get_weights()
    torch_model.conv.weight = nn.Parameter(torch.from_numpy(kernel).permute(3, 2, 0, 1).contiguous())
    torch_model.conv.bias = nn.Parameter(torch.from_numpy(bias))
    torch_model.fc.weight = nn.Parameter(torch.from_numpy(dense_kernel.T.copy()))
    torch_model.fc.bias = nn.Parameter(torch.from_numpy(dense_bias))
