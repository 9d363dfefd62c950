"""Shifts of up to two pixels: on an 8x8 digit that cuts strokes off.

expect_fail: augment_small_shift
"""
# %% augment
def augment_digits(images, seed):
    rng = np.random.default_rng(seed)
    out = np.empty_like(images, dtype=np.float32)
    for i, img in enumerate(images):
        dy, dx = rng.integers(-2, 3, size=2)
        out[i] = np.roll(img, (dy, dx), axis=(0, 1))
    out += rng.normal(0, 0.5, size=out.shape)
    return np.clip(out, 0, 16)
