"""vectorized_speedup returns t_numpy / t_python (the inverse of the speedup).

expect_fail: loops_speedup
"""
# %% loops +
def vectorized_speedup(n=64):
    A, B = np.random.rand(n, n), np.random.rand(n, n)
    A_list, B_list = A.tolist(), B.tolist()
    t_python = benchmark(lambda: python_matmul(A_list, B_list), repeats=3)["median"]
    t_numpy = benchmark(lambda: A @ B, repeats=20)["median"]
    return t_numpy / t_python
