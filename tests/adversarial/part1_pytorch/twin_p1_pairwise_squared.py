"""pairwise_distances forgets the square root: squared distances.

expect_fail: pairwise_matches_cdist
"""
# %% pairwise
def pairwise_distances(X, Y):
    return ((X[:, None, :] - Y[None, :, :]) ** 2).sum(dim=-1)
