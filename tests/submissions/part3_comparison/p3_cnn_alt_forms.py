"""A correct alternative for both CNN cells: a PyTorch subclass with functional ReLU/pooling, a functional Keras model
with a separate ReLU layer and a Permute((3, 1, 2)) before Flatten (so it flattens channels-first, like PyTorch), and
transfers that follow that order (the dense kernel is only transposed), written with np.moveaxis, kernel.assign and
load_state_dict.

expect: full
"""
# %% cnn_twins
import torch.nn.functional as F


class TorchCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(128, 10)          # registered first on purpose
        self.conv = nn.Conv2d(1, 8, 3, padding="same")

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv(x.view(-1, 1, 8, 8))), kernel_size=2, stride=2)
        return self.fc(x.flatten(start_dim=1))


def build_torch_cnn():
    return TorchCNN()


def build_keras_cnn():
    inputs = keras.Input(shape=(64,))
    x = layers.Reshape((8, 8, 1))(inputs)
    x = layers.Conv2D(filters=8, kernel_size=(3, 3), padding="same", name="conv")(x)
    x = layers.ReLU()(x)
    x = layers.MaxPooling2D(pool_size=(2, 2))(x)
    x = layers.Permute((3, 1, 2))(x)          # (N, C, H, W): aplana como PyTorch
    x = layers.Flatten()(x)
    return keras.Model(inputs, layers.Dense(10, name="fc")(x))

# %% conv_transfer
def torch_cnn_to_keras(torch_model, keras_model):
    state = {k: v.detach().numpy() for k, v in torch_model.state_dict().items()}
    conv, fc = keras_model.get_layer("conv"), keras_model.get_layer("fc")
    conv.kernel.assign(np.moveaxis(state["conv.weight"], (0, 1), (3, 2)))   # (out, in, kh, kw) -> (kh, kw, in, out)
    conv.bias.assign(state["conv.bias"])
    fc.kernel.assign(state["fc.weight"].T)     # el Permute ya aplana en el orden de PyTorch
    fc.bias.assign(state["fc.bias"])


def keras_cnn_to_torch(keras_model, torch_model):
    conv, fc = keras_model.get_layer("conv"), keras_model.get_layer("fc")
    torch_model.load_state_dict({
        "conv.weight": torch.tensor(np.moveaxis(conv.kernel.numpy(), (3, 2), (0, 1))),
        "conv.bias": torch.tensor(conv.bias.numpy()),
        "fc.weight": torch.tensor(fc.kernel.numpy().T),
        "fc.bias": torch.tensor(fc.bias.numpy()),
    })
