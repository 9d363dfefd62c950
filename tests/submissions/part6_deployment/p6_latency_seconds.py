"""latency_table stores the median in seconds under median_ms (and the throughput from it).

expect_fail: latency_median_ms
"""
# %% latency
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
            median_ms = float(np.median(times))  # en segundos: falta multiplicar por 1000
            rows.append({"name": name, "batch_size": batch_size, "median_ms": median_ms,
                         "throughput": batch_size / (median_ms / 1000)})
    return rows
