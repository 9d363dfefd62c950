"""The Keras twin leaves out the Dropout layers (same parameter count, but no dropout when training).

expect_fail: twins_dropout_modes
"""
# %% twins +
def build_keras_twin():
    return keras.Sequential([
        keras.Input(shape=(20,)),
        layers.Dense(64, activation="relu"),
        layers.Dense(32, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])
