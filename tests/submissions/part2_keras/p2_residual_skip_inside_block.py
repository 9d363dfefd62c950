"""Each "residual" block is a plain two-layer block: the Add sums the block's two Dense outputs (the skip
is taken after the block's first layer), so the block's input is never added back. The Add layers are
there, two inputs of shape (None, width) each: only the behaviour (F = 0 should let h through) shows it.

expect_fail: residual_skip_identity
"""
# %% functional_residual
def build_residual_model(input_dim=20, width=64, num_blocks=2, num_outputs=1):
    inputs = keras.Input(shape=(input_dim,))
    h = layers.Dense(width, activation="relu")(inputs)
    for _ in range(num_blocks):
        f1 = layers.Dense(width, activation="relu")(h)
        f2 = layers.Dense(width)(f1)
        h = layers.Activation("relu")(layers.Add()([f1, f2]))
    outputs = layers.Dense(num_outputs, activation="sigmoid")(h)
    return keras.Model(inputs, outputs)
