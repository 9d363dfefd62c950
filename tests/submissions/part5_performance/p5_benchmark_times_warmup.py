"""benchmark times the warm-up calls too and keeps them in times (warmup + repeats entries).

expect_fail: benchmark_warmup_not_timed, benchmark_synchronizes
"""
# %% benchmark +
def benchmark(fn, *, warmup=1, repeats=5, synchronize=None):
    times = []
    for _ in range(warmup + repeats):
        if synchronize is not None:
            synchronize()
        start = time.perf_counter()
        fn()
        if synchronize is not None:
            synchronize()
        times.append(time.perf_counter() - start)
    t = np.array(times)
    return {"times": times, "median": float(np.median(t)), "mean": float(t.mean()),
            "std": float(t.std()), "min": float(t.min())}
