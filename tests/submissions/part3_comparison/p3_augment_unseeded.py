"""augment_digits draws from the global NumPy generator and ignores seed: not reproducible.

expect_fail: augment_deterministic
"""
# %% augment
def augment_digits(images, seed):
    out = np.empty_like(images, dtype=np.float32)
    for i, img in enumerate(images):
        dy, dx = np.random.randint(-1, 2, size=2)
        out[i] = np.roll(img, (dy, dx), axis=(0, 1))
    out += np.random.normal(0, 0.5, size=out.shape)
    return np.clip(out, 0, 16)
