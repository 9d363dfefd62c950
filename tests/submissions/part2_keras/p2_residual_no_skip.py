"""Residual blocks without the skip connection: a plain stack of Dense layers.

expect_fail: residual_add_blocks
"""
# %% functional_residual
def build_residual_model(input_dim=20, width=64, num_blocks=2, num_outputs=1):
    inputs = keras.Input(shape=(input_dim,))
    h = layers.Dense(width, activation="relu")(inputs)
    for _ in range(num_blocks):
        h = layers.Dense(width, activation="relu")(h)
        h = layers.Dense(width, activation="relu")(h)
    return keras.Model(inputs, layers.Dense(num_outputs, activation="sigmoid")(h))
