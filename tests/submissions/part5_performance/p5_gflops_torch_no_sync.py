"""matmul_gflops never synchronizes CUDA: on a GPU, A @ B returns before the product is done.

expect_fail: gflops_forces_result
"""
# %% gflops +
def matmul_gflops(n, framework, device="cpu"):
    if framework == "numpy":
        A = np.random.rand(n, n).astype(np.float32)
        B = np.random.rand(n, n).astype(np.float32)
        fn = lambda: A @ B
    elif framework == "torch":
        A, B = torch.rand(n, n, device=device), torch.rand(n, n, device=device)
        fn = lambda: A @ B
    else:
        with tf.device("/GPU:0" if device == "cuda" else "/CPU:0"):
            A, B = tf.random.uniform((n, n)), tf.random.uniform((n, n))
        fn = lambda: tf.linalg.matmul(A, B).numpy()
    median = benchmark(fn, warmup=2, repeats=5)["median"]
    return 2 * n**3 / median / 1e9
