"""prefetch(1) with a fixed buffer instead of tf.data.AUTOTUNE.

expect_fail: tf_pipeline_ops
"""
# %% datasets +
def make_tf_dataset(X, y, batch_size=32, shuffle=True, seed=0):
    dataset = tf.data.Dataset.from_tensor_slices((np.asarray(X, dtype=np.float32), np.asarray(y))).cache()
    if shuffle:
        dataset = dataset.shuffle(len(X), seed=seed)
    return dataset.batch(batch_size).prefetch(1)
