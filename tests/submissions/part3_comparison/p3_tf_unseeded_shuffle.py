"""shuffle() without seed: two pipelines built with the same seed give different orders.

expect_fail: tf_dataset_seeded
"""
# %% datasets +
def make_tf_dataset(X, y, batch_size=32, shuffle=True, seed=0):
    dataset = tf.data.Dataset.from_tensor_slices((np.asarray(X, dtype=np.float32), np.asarray(y))).cache()
    if shuffle:
        dataset = dataset.shuffle(len(X))
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
