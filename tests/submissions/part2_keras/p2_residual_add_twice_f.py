"""The skip connection is dropped: each block adds F(h) to itself (Add([f, f])) instead of adding the
block's input h, so it is a plain two-layer block with doubled output.

expect_fail: residual_skip_identity
"""
# %% functional_residual
def build_residual_model(input_dim=20, width=64, num_blocks=2, num_outputs=1):
    inputs = keras.Input(shape=(input_dim,))
    h = layers.Dense(width, activation="relu")(inputs)
    for _ in range(num_blocks):
        f = layers.Dense(width, activation="relu")(h)
        f = layers.Dense(width)(f)
        h = layers.Activation("relu")(layers.Add()([f, f]))
    return keras.Model(inputs, layers.Dense(num_outputs, activation="sigmoid")(h))
