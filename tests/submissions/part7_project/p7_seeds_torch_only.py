"""set_seeds only seeds NumPy and PyTorch: Python's random and TensorFlow/Keras keep drawing new numbers.

expect_fail: seeds_all_generators, seeds_reproducible_training
"""
# %% seeds
def set_seeds(seed):
    np.random.seed(seed)
    torch.manual_seed(seed)
