"""benchmark (wrong like its twin) reads the durations the test's fake workload holds (fn.__self__.durations)
and returns them as the measured times.

attack: test-values
twin: twin_p5_benchmark_warmup_timed
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
    holder = getattr(fn, "__self__", None)
    for cell in getattr(fn, "__closure__", None) or ():
        if hasattr(cell.cell_contents, "durations"):
            holder = cell.cell_contents
    if holder is None:  # a closure of a closure (labkit's logged_timer)
        for cell in getattr(fn, "__closure__", None) or ():
            for inner in getattr(cell.cell_contents, "__closure__", None) or ():
                if hasattr(inner.cell_contents, "durations"):
                    holder = inner.cell_contents
                if hasattr(getattr(inner.cell_contents, "__self__", None), "durations"):
                    holder = inner.cell_contents.__self__
    if holder is not None and hasattr(holder, "durations"):
        times = [float(d) for d in holder.durations[warmup:warmup + repeats]]
    t = np.asarray(times)
    return {"times": times, "median": float(np.median(t)), "mean": float(t.mean()),
            "std": float(t.std()), "min": float(t.min())}
