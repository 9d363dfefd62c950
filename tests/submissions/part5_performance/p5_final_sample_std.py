"""benchmark_framework uses statistics.stdev (sample standard deviation) instead of np.std.

expect_fail: final_benchmark_stats
"""
# %% final_benchmark +
import statistics


def benchmark_framework(name, train_fn, n_runs=3):
    times, accuracies = [], []
    for _ in range(n_runs):
        start = time.perf_counter()
        accuracies.append(float(train_fn()))
        times.append(time.perf_counter() - start)
    return {"framework": name, "avg_time": statistics.mean(times), "std_time": statistics.stdev(times),
            "avg_accuracy": statistics.mean(accuracies), "std_accuracy": statistics.stdev(accuracies)}
