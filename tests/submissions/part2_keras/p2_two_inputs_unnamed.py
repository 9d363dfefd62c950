"""Two inputs without names: Keras calls them input_layer, input_layer_1, ...

expect_fail: two_inputs_named
"""
# %% two_inputs
def build_two_input_model():
    input_a, input_b = keras.Input(shape=(32,)), keras.Input(shape=(64,))
    x = layers.Concatenate()([layers.Dense(16, activation="relu")(input_a),
                              layers.Dense(32, activation="relu")(input_b)])
    return keras.Model([input_a, input_b], layers.Dense(10, activation="softmax")(x))
