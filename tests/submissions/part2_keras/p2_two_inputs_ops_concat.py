"""Correct alternative: the branches are joined with keras.ops.concatenate (no Concatenate layer in
model.layers) and the model takes its inputs as a dict. The old test looked for a Concatenate layer.

expect: full
"""
# %% two_inputs
def build_two_input_model():
    input_a = keras.Input(shape=(32,), name="input_a")
    input_b = keras.Input(shape=(64,), name="input_b")
    x = keras.ops.concatenate([layers.Dense(8, activation="tanh")(input_a),
                               layers.Dense(8, activation="tanh")(input_b)], axis=-1)
    outputs = layers.Dense(10, activation="softmax")(layers.Dense(32, activation="relu")(x))
    return keras.Model(inputs={"input_a": input_a, "input_b": input_b}, outputs=outputs)
