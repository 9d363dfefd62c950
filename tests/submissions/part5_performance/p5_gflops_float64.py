"""matmul_gflops builds the NumPy matrices with the default float64 instead of float32.

expect_fail: gflops_formula
"""
# %% gflops +
_float32_gflops = matmul_gflops


def matmul_gflops(n, framework, device="cpu"):
    if framework != "numpy":
        return _float32_gflops(n, framework, device)
    rng = np.random.default_rng(0)
    A, B = rng.random((n, n)), rng.random((n, n))
    stats = benchmark(lambda: A @ B, warmup=2, repeats=7)
    return 2 * n**3 / stats["median"] / 1e9
