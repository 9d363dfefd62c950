"""augment_digits draws ONE random shift and applies it to every image of the batch (plus per-pixel noise).

expect_fail: augment_small_shift
"""
# %% augment
def augment_digits(images, seed):
    rng = np.random.default_rng(seed)
    dy, dx = rng.integers(-1, 2, size=2)
    if dy == 0 and dx == 0:
        dx = 1
    padded = np.pad(np.asarray(images, dtype=np.float32), ((0, 0), (1, 1), (1, 1)))
    out = padded[:, 1 - dy:9 - dy, 1 - dx:9 - dx].copy()
    out += rng.normal(0.0, 0.5, size=out.shape).astype(np.float32)
    return np.clip(out, 0.0, 16.0)
