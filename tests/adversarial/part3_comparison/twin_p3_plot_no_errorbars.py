"""Honest twin: plot_comparison draws the mean bars but no error bars for the standard deviations.

expect_fail: plot_comparison_errorbars
"""
# %% fair_compare +
def plot_comparison(results):
    names, labels = ["pytorch", "tensorflow"], ["PyTorch", "TensorFlow"]
    fig, (ax_time, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.5))
    ax_time.bar(labels, [results[n]["time_mean"] for n in names])
    ax_time.set(ylabel="tiempo de entrenamiento (s)")
    ax_acc.bar(labels, [results[n]["acc_mean"] for n in names])
    ax_acc.set(ylabel="exactitud en test", ylim=(0, 1))
    fig.tight_layout()
    return fig
