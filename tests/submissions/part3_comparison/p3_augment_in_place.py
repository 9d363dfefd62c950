"""The noise is added to the input array in place (and returned): the caller's images are changed.

expect_fail: augment_shape_range
"""
# %% augment
def augment_digits(images, seed):
    rng = np.random.default_rng(seed)
    for i in range(len(images)):
        dy, dx = rng.integers(-1, 2, size=2)
        images[i] = np.roll(images[i], (dy, dx), axis=(0, 1))
    images += rng.normal(0, 0.5, size=images.shape).astype(images.dtype)
    np.clip(images, 0, 16, out=images)
    return images
