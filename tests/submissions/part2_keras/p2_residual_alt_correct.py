"""Correct alternative: a keras.Model subclass built with the functional constructor (its class is not
called "Functional"), pre-activation blocks F = BatchNorm-ReLU-Dense-ReLU-Dense, no activation after the
Add (keras.ops.relu only before the output).

expect: full
"""
# %% functional_residual
class ResidualNet(keras.Model):
    """A functional model with its own class name."""


def build_residual_model(input_dim=20, width=64, num_blocks=2, num_outputs=1):
    inputs = keras.Input(shape=(input_dim,), name="x")
    h = layers.Dense(width, activation="relu", kernel_initializer="he_normal")(inputs)
    for k in range(num_blocks):
        f = layers.BatchNormalization()(h)
        f = layers.Activation("relu")(f)
        f = layers.Dense(width, activation="relu")(f)
        f = layers.Dense(width)(f)
        h = layers.Add(name=f"suma_{k}")([h, f])
    h = keras.ops.relu(h)
    return ResidualNet(inputs, layers.Dense(num_outputs, activation="sigmoid")(h))
