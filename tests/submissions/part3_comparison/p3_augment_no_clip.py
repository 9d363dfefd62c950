"""The noise is added without clipping: values fall below 0 and above 16.

expect_fail: augment_shape_range
"""
# %% augment
def augment_digits(images, seed):
    rng = np.random.default_rng(seed)
    out = np.empty_like(images, dtype=np.float32)
    for i, img in enumerate(images):
        dy, dx = rng.integers(-1, 2, size=2)
        out[i] = np.roll(img, (dy, dx), axis=(0, 1))
    return out + rng.normal(0, 0.5, size=out.shape)
