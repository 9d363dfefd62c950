"""Correct alternative: each Dense without activation, followed by Dropout and a separate Activation layer
(Dropout before ReLU computes the same: dropout scales by a non-negative factor). The old test compared the
list of layer class names and failed it.

expect: full
"""
# %% sequential
def build_sequential(input_dim=20):
    model = keras.Sequential([
        keras.Input(shape=(input_dim,)),
        layers.Dense(64), layers.Dropout(0.3), layers.Activation("relu"),
        layers.Dense(32), layers.Activation("relu"), layers.Dropout(rate=0.3),
        layers.Dense(1), layers.Activation("sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.BinaryCrossentropy(),
                  metrics=[keras.metrics.BinaryAccuracy()])
    return model
