"""Correct alternative: steps compiled with tf.function(reduce_retracing=True) (the short last batch does not
force a second graph), per-sample losses fed to the Mean (a sample-weighted epoch mean), a prefetching
pipeline, the whole validation set in one batch, and values read with .numpy().item().

expect: full
"""
# %% custom_loop
def train_custom_loop(model, X_train, y_train, X_val, y_val, epochs=5, batch_size=32, lr=1e-3):
    optimizer = keras.optimizers.Adam(learning_rate=lr)
    metrics = {
        "loss": keras.metrics.Mean(name="loss"),
        "accuracy": keras.metrics.SparseCategoricalAccuracy(name="accuracy"),
        "val_loss": keras.metrics.Mean(name="val_loss"),
        "val_accuracy": keras.metrics.SparseCategoricalAccuracy(name="val_accuracy"),
    }
    X_train, X_val = np.asarray(X_train, np.float32), np.asarray(X_val, np.float32)
    train_ds = (tf.data.Dataset.from_tensor_slices((X_train, y_train))
                .shuffle(buffer_size=len(X_train), reshuffle_each_iteration=True)
                .batch(batch_size)
                .prefetch(tf.data.AUTOTUNE))

    @tf.function(reduce_retracing=True)
    def train_step(x, y):
        with tf.GradientTape() as tape:
            probs = model(x, training=True)
            per_sample = keras.losses.sparse_categorical_crossentropy(y, probs)
            loss = tf.reduce_mean(per_sample)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        metrics["loss"].update_state(per_sample)
        metrics["accuracy"].update_state(y, probs)

    @tf.function(reduce_retracing=True)
    def evaluate(x, y):
        probs = model(x, training=False)
        metrics["val_loss"].update_state(keras.losses.sparse_categorical_crossentropy(y, probs))
        metrics["val_accuracy"].update_state(y, probs)

    history = {name: [] for name in metrics}
    for _ in range(epochs):
        for metric in metrics.values():
            metric.reset_state()
        for x, y in train_ds:
            train_step(x, y)
        evaluate(tf.constant(X_val), tf.constant(y_val))
        for name, metric in metrics.items():
            history[name].append(metric.result().numpy().item())
    return history
