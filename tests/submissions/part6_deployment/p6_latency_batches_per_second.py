"""throughput is computed as calls per second (1000 / median_ms), forgetting the batch size.

expect_fail: latency_rows
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
            median_ms = 1000 * float(np.median(times))
            rows.append({"name": name, "batch_size": batch_size, "median_ms": median_ms,
                         "throughput": 1000 / median_ms})
    return rows
