"""matmul_gflops counts n³ floating-point operations instead of 2n³ (multiplications only).

expect_fail: gflops_formula
"""
# %% gflops +
def matmul_gflops(n, framework, device="cpu"):
    synchronize = None
    if framework == "numpy":
        A = np.random.rand(n, n).astype(np.float32)
        B = np.random.rand(n, n).astype(np.float32)
        fn = lambda: A @ B
    elif framework == "torch":
        A, B = torch.rand(n, n, device=device), torch.rand(n, n, device=device)
        fn = lambda: A @ B
        if torch.device(device).type == "cuda":
            synchronize = torch.cuda.synchronize
    else:
        with tf.device("/GPU:0" if device == "cuda" else "/CPU:0"):
            A, B = tf.random.uniform((n, n)), tf.random.uniform((n, n))
        fn = lambda: tf.linalg.matmul(A, B).numpy()
    median = benchmark(fn, warmup=2, repeats=5, synchronize=synchronize)["median"]
    return n**3 / median / 1e9
