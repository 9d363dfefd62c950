"""build_keras_transfer calls the frozen base without training=False.

expect_fail: transfer_keras_frozen
"""
# %% transfer +
def build_keras_transfer(base, num_classes):
    base.trainable = False
    inputs = keras.Input(shape=(64,))
    outputs = layers.Dense(num_classes, activation="softmax")(base(inputs))
    return keras.Model(inputs, outputs)
