"""Reports the mean time (np.mean) as median_ms: one slow call drags the figure up.

expect_fail: latency_median_ms
"""
# %% latency +
def latency_table(predictors, X, batch_sizes=(1, 32, 256)):
    rows = []
    for name, predict in predictors.items():
        for batch_size in batch_sizes:
            batch = X[:batch_size]
            predict(batch)
            times = []
            for _ in range(10):
                start = time.perf_counter()
                predict(batch)
                times.append(time.perf_counter() - start)
            mean_ms = 1000 * float(np.mean(times))
            rows.append({"name": name, "batch_size": batch_size, "median_ms": mean_ms,
                         "throughput": batch_size / (mean_ms / 1000)})
    return rows
