"""Rows use the keys "model" and "latency_ms" instead of the contract's name and median_ms, and no throughput.

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
            rows.append({"model": name, "batch_size": batch_size, "latency_ms": 1000 * float(np.median(times))})
    return rows
