"""The Keras CNN ends in Dense(10, activation="softmax"): it returns probabilities, not logits (the PyTorch twin
returns logits, so the two never give the same outputs).

expect_fail: cnn_keras_logits, conv_transfer_torch_to_keras, conv_transfer_keras_to_torch
"""
# %% cnn_twins +
def build_keras_cnn():
    return keras.Sequential([
        keras.Input(shape=(64,)),
        layers.Reshape((8, 8, 1)),
        layers.Conv2D(8, 3, padding="same", activation="relu", name="conv"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(10, activation="softmax", name="fc"),
    ])
