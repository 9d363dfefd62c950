"""The augmented copy is computed but the function returns the original images.

expect_fail: augment_shape_range, augment_small_shift
"""
# %% augment
def augment_digits(images, seed):
    rng = np.random.default_rng(seed)
    augmented = np.empty_like(images, dtype=np.float32)
    for i, img in enumerate(images):
        dy, dx = rng.integers(-1, 2, size=2)
        augmented[i] = np.roll(img, (dy, dx), axis=(0, 1))
    augmented = np.clip(augmented + rng.normal(0, 0.5, size=augmented.shape), 0, 16)
    return images
