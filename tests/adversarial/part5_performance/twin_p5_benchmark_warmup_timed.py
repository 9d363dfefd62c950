"""benchmark starts the clock before the warmup calls: the first time includes the warmup.

expect_fail: benchmark_warmup_not_timed, benchmark_synchronizes
"""
# %% benchmark
def benchmark(fn, *, warmup=1, repeats=5, synchronize=None):
    def wait():
        if synchronize is not None:
            synchronize()

    times = []
    wait()
    start = time.perf_counter()
    for _ in range(warmup):
        fn()
    for _ in range(repeats):
        fn()
        wait()
        now = time.perf_counter()
        times.append(now - start)
        start = now
    t = np.asarray(times)
    return {"times": times, "median": float(np.median(t)), "mean": float(t.mean()),
            "std": float(t.std()), "min": float(t.min())}
