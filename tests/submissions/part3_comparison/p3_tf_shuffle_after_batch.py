"""The tf.data pipeline shuffles after batching: it reorders whole batches, so the samples of each batch are always
the same consecutive block (every epoch still sees every sample once, in a seeded order).

expect_fail: tf_dataset_mixes_batches
"""
# %% datasets +
def make_tf_dataset(X, y, batch_size=32, shuffle=True, seed=0):
    dataset = tf.data.Dataset.from_tensor_slices((np.asarray(X, dtype=np.float32), np.asarray(y))).cache()
    dataset = dataset.batch(batch_size)
    if shuffle:
        dataset = dataset.shuffle(len(X), seed=seed)
    return dataset.prefetch(tf.data.AUTOTUNE)
