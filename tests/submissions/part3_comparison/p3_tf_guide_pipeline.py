"""The course guide's pipeline, shuffle + batch only: no cache() and no prefetch(AUTOTUNE).

expect_fail: tf_pipeline_ops
"""
# %% datasets +
def make_tf_dataset(X, y, batch_size=32, shuffle=True, seed=0):
    dataset = tf.data.Dataset.from_tensor_slices((np.asarray(X, dtype=np.float32), np.asarray(y)))
    if shuffle:
        dataset = dataset.shuffle(1000, seed=seed)
    return dataset.batch(batch_size)
