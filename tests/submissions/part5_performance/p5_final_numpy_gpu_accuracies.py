"""benchmark_framework averages the raw train_fn results with np.mean, which fails when they are tensors on the GPU.

expect_fail: final_benchmark_stats
"""
# %% final_benchmark +
def benchmark_framework(name, train_fn, n_runs=3):
    times, accuracies = [], []
    for _ in range(n_runs):
        start = time.perf_counter()
        accuracies.append(train_fn())
        times.append(time.perf_counter() - start)
    return {"framework": name, "avg_time": float(np.mean(times)), "std_time": float(np.std(times)),
            "avg_accuracy": float(np.mean(accuracies)), "std_accuracy": float(np.std(accuracies))}
