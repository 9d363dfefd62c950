"""Both CNNs use a 'valid' convolution (no padding): 6x6 maps, 3x3 after pooling, a dense layer on 72 values
(810 parameters instead of 1370).

expect_fail: cnn_twins_parameters, cnn_torch_logits, cnn_keras_logits, conv_transfer_torch_to_keras, conv_transfer_keras_to_torch
"""
# %% cnn_twins
from collections import OrderedDict


def build_torch_cnn():
    return nn.Sequential(OrderedDict([
        ("image", nn.Unflatten(1, (1, 8, 8))),
        ("conv", nn.Conv2d(1, 8, kernel_size=3)),
        ("relu", nn.ReLU()),
        ("pool", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()),
        ("fc", nn.Linear(8 * 3 * 3, 10)),
    ]))


def build_keras_cnn():
    return keras.Sequential([
        keras.Input(shape=(64,)),
        layers.Reshape((8, 8, 1)),
        layers.Conv2D(8, 3, activation="relu", name="conv"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(10, name="fc"),
    ])
