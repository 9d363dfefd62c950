"""benchmark reports the mean under the key median.

expect_fail: benchmark_statistics
"""
# %% benchmark +
def benchmark(fn, *, warmup=1, repeats=5, synchronize=None):
    def wait():
        if synchronize is not None:
            synchronize()
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        wait()
        start = time.perf_counter()
        fn()
        wait()
        times.append(time.perf_counter() - start)
    mean = sum(times) / len(times)
    return {"times": times, "median": mean, "mean": mean, "std": float(np.std(times)), "min": min(times)}
