"""The Keras outputs are not named 'digit' and 'parity' (losses passed as a list instead).

expect_fail: keras_multitask_structure
"""
# %% keras_multitask
def build_keras_multitask(width=128, num_blocks=2):
    inputs = keras.Input(shape=(64,))
    x = layers.Dense(width, activation="relu")(inputs)
    for _ in range(num_blocks):
        h = layers.Dense(width, activation="relu")(x)
        h = layers.Dense(width)(h)
        x = layers.Activation("relu")(layers.Add()([x, h]))
    digit = layers.Dense(10, activation="softmax")(x)
    parity_out = layers.Dense(2, activation="softmax")(x)
    model = keras.Model(inputs, [digit, parity_out])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=["sparse_categorical_crossentropy", "sparse_categorical_crossentropy"],
                  loss_weights=[1.0, 0.5], metrics=[["accuracy"], ["accuracy"]])
    return model
