"""The Keras twin ends in Dense(1) without the sigmoid: it returns logits, not probabilities.

expect_fail: twins_architecture, transfer_torch_to_keras, transfer_keras_to_torch
"""
# %% twins +
def build_keras_twin():
    return keras.Sequential([
        keras.Input(shape=(20,)),
        layers.Dense(64, activation="relu"), layers.Dropout(0.3),
        layers.Dense(32, activation="relu"), layers.Dropout(0.3),
        layers.Dense(1),
    ])
