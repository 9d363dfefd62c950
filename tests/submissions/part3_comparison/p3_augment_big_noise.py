"""The noise is far from small (standard deviation 4 on a 0..16 scale).

expect_fail: augment_small_shift
"""
# %% augment
def augment_digits(images, seed):
    rng = np.random.default_rng(seed)
    out = np.empty_like(images, dtype=np.float32)
    for i, img in enumerate(images):
        dy, dx = rng.integers(-1, 2, size=2)
        out[i] = np.roll(img, (dy, dx), axis=(0, 1))
    return np.clip(out + rng.normal(0, 4.0, size=out.shape), 0, 16)
