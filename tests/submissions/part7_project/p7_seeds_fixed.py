"""set_seeds ignores its argument and always seeds with 42.

expect_fail: seeds_all_generators
"""
# %% seeds
def set_seeds(seed):
    random.seed(42)
    np.random.seed(42)
    torch.manual_seed(42)
    tf.random.set_seed(42)
