"""plot_history draws only the training curves, in one axis, without labels.

expect_fail: digits_keras_plot
"""
# %% digits_keras +
def plot_history(history):
    fig, ax = plt.subplots()
    ax.plot(history.history["loss"])
    ax.plot(history.history["accuracy"])
    return fig
