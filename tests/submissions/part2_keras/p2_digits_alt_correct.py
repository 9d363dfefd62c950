"""Correct alternative: the digits MLP with the functional API and loss/metric objects, fit with explicit
batch_size and shuffle, and a figure of two stacked panels drawn with a loop over the metrics.

expect: full
"""
# %% digits_keras
import matplotlib.pyplot as plt


def build_digits_keras():
    inputs = keras.Input(shape=(64,))
    x = layers.Dense(128, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    model = keras.Model(inputs, layers.Dense(10, activation="softmax")(x))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    return model


def train_digits_keras(model, X, y, epochs=20):
    return model.fit(X, y, batch_size=32, epochs=epochs, validation_split=0.2, shuffle=True, verbose=0)


def plot_history(history):
    fig, axes = plt.subplots(2, 1, figsize=(6, 6), sharex=True)
    for ax, metric in zip(axes, ["loss", "accuracy"]):
        ax.plot(history.history[metric], marker="o", label="train")
        ax.plot(history.history["val_" + metric], marker="s", label="val")
        ax.set_ylabel(metric)
        ax.legend(loc="best")
    axes[-1].set_xlabel("epoch")
    return fig
