"""build_keras_transfer never sets base.trainable = False: fit retrains the pre-trained base.

expect_fail: transfer_keras_frozen, transfer_keras_accuracy
"""
# %% transfer +
def build_keras_transfer(base, num_classes):
    inputs = keras.Input(shape=(64,))
    features = base(inputs, training=False)
    outputs = layers.Dense(num_classes, activation="softmax")(features)
    return keras.Model(inputs, outputs)
