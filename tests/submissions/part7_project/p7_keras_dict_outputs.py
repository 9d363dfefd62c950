"""Keras 3's own way to name the outputs: keras.Model(inputs, {"digit": ..., "parity": ...}) with unnamed output
layers (the dict keys are the names; predict returns a dict), residual sums written as x + h. Correct.

expect: full
"""
# %% keras_multitask
def build_keras_multitask(width=128, num_blocks=2):
    inputs = keras.Input(shape=(64,))
    x = layers.Dense(width, activation="relu")(inputs)
    for _ in range(num_blocks):
        h = layers.Dense(width)(layers.Dense(width, activation="relu")(x))
        x = keras.ops.relu(x + h)
    outputs = {"digit": layers.Dense(10, activation="softmax")(x),
               "parity": layers.Dense(2, activation="softmax")(x)}
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam",
                  loss={"digit": keras.losses.SparseCategoricalCrossentropy(),
                        "parity": keras.losses.SparseCategoricalCrossentropy()},
                  loss_weights={"digit": 1.0, "parity": 0.5},
                  metrics={"digit": ["accuracy"], "parity": ["accuracy"]})
    return model
