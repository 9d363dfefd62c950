"""Copy-paste slip: the second branch is built from input_a, so input_b never reaches the output (Keras 3
accepts an unused input without a word). Names, shapes, the Concatenate layer and the softmax all look right.

expect_fail: two_inputs_output
"""
# %% two_inputs
def build_two_input_model():
    input_a = keras.Input(shape=(32,), name="input_a")
    input_b = keras.Input(shape=(64,), name="input_b")
    x_a = layers.Dense(16, activation="relu")(input_a)
    x_b = layers.Dense(32, activation="relu")(input_a)
    x = layers.Concatenate()([x_a, x_b])
    x = layers.Dense(64, activation="relu")(x)
    return keras.Model(inputs=[input_a, input_b], outputs=layers.Dense(10, activation="softmax")(x))
