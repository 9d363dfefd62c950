"""plot_comparison draws the mean bars but no error bars.

expect_fail: plot_comparison_errorbars
"""
# %% fair_compare +
def plot_comparison(results):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    names = list(results)
    ax1.bar(names, [results[n]["time_mean"] for n in names])
    ax1.set_ylabel("tiempo (s)")
    ax2.bar(names, [results[n]["acc_mean"] for n in names])
    ax2.set_ylabel("exactitud")
    return fig
