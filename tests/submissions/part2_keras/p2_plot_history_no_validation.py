"""plot_history draws only the training curves, in one axis, without labels.

expect_fail: digits_keras_plot
"""
# %% digits_keras
import matplotlib.pyplot as plt


def build_digits_keras():
    model = keras.Sequential([keras.Input(shape=(64,)), layers.Dense(128, activation="relu"),
                              layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train_digits_keras(model, X, y, epochs=20):
    return model.fit(X, y, epochs=epochs, validation_split=0.2, verbose=0)


def plot_history(history):
    fig, ax = plt.subplots()
    ax.plot(history.history["loss"])
    ax.plot(history.history["accuracy"])
    return fig
