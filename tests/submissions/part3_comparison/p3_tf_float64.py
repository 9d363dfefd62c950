"""make_tf_dataset keeps the NumPy float64 features (x is not float32).

expect_fail: tf_dataset_epoch
"""
# %% datasets +
def make_tf_dataset(X, y, batch_size=32, shuffle=True, seed=0):
    dataset = tf.data.Dataset.from_tensor_slices((X, y)).cache()
    if shuffle:
        dataset = dataset.shuffle(len(X), seed=seed)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
