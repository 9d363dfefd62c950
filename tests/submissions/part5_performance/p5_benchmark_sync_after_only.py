"""benchmark synchronizes after each timed call but not before the first clock read, so the warm-up's pending work lands in the first repeat.

expect_fail: benchmark_synchronizes
"""
# %% benchmark +
def benchmark(fn, *, warmup=1, repeats=5, synchronize=None):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        if synchronize is not None:
            synchronize()
        times.append(time.perf_counter() - start)
    t = np.array(times)
    return {"times": times, "median": float(np.median(t)), "mean": float(t.mean()),
            "std": float(t.std()), "min": float(t.min())}
