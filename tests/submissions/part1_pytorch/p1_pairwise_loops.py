"""Pairwise distances with two Python loops: right values, but no broadcasting.

expect_fail: pairwise_no_loops
"""
# %% pairwise
def pairwise_distances(X, Y):
    D = torch.empty(len(X), len(Y), dtype=X.dtype)
    for i in range(len(X)):
        for j in range(len(Y)):
            D[i, j] = torch.sqrt(((X[i] - Y[j]) ** 2).sum())
    return D
