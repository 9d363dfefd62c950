"""python_matmul hands the product to NumPy instead of writing the three loops.

expect_fail: loops_python_matmul
"""
# %% loops +
def python_matmul(A, B):
    return (np.array(A) @ np.array(B)).tolist()
