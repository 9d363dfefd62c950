"""train_digits_keras trains without validation_split: the History has no val_loss.

expect_fail: digits_keras_accuracy
"""
# %% digits_keras
import matplotlib.pyplot as plt


def build_digits_keras():
    model = keras.Sequential([keras.Input(shape=(64,)), layers.Dense(128, activation="relu"),
                              layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train_digits_keras(model, X, y, epochs=20):
    return model.fit(X, y, epochs=epochs, verbose=0)


def plot_history(history):
    h = history.history
    fig, axes = plt.subplots(1, 2)
    for ax, key in zip(axes, ("loss", "accuracy")):
        ax.plot(h[key], label="train")
        ax.plot(h.get(f"val_{key}", []), label="val")
        ax.legend()
    return fig
