"""plot_benchmark leaves the accuracy axis autoscaled, which exaggerates small differences.

expect_fail: final_benchmark_plot
"""
# %% final_benchmark +
def plot_benchmark(results):
    names = [r["framework"] for r in results]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    ax1.bar(names, [r["avg_time"] for r in results], yerr=[r["std_time"] for r in results], capsize=10)
    ax1.set_ylabel("tiempo (s)")
    ax2.bar(names, [r["avg_accuracy"] for r in results], yerr=[r["std_accuracy"] for r in results], capsize=10)
    ax2.set_ylabel("exactitud")
    return fig
