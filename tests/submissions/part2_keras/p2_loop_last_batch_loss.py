"""The epoch loss recorded is the loss of the last batch (what the guide's loop prints), not the mean of
the epoch that the Mean metric holds.

expect_fail: custom_loop_epoch_loss
"""
# %% custom_loop
def train_custom_loop(model, X_train, y_train, X_val, y_val, epochs=5, batch_size=32, lr=1e-3):
    optimizer = keras.optimizers.Adam(learning_rate=lr)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    train_loss, train_acc = keras.metrics.Mean(), keras.metrics.SparseCategoricalAccuracy()
    val_loss, val_acc = keras.metrics.Mean(), keras.metrics.SparseCategoricalAccuracy()
    train_ds = tf.data.Dataset.from_tensor_slices((X_train, y_train)).shuffle(len(X_train)).batch(batch_size)
    val_ds = tf.data.Dataset.from_tensor_slices((X_val, y_val)).batch(batch_size)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            probs = model(x, training=True)
            loss = loss_fn(y, probs)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        train_loss.update_state(loss)
        train_acc.update_state(y, probs)
        return loss

    @tf.function
    def val_step(x, y):
        probs = model(x, training=False)
        val_loss.update_state(loss_fn(y, probs))
        val_acc.update_state(y, probs)

    metrics = {"loss": train_loss, "accuracy": train_acc, "val_loss": val_loss, "val_accuracy": val_acc}
    history = {key: [] for key in metrics}
    for epoch in range(epochs):
        for metric in metrics.values():
            metric.reset_state()
        for x, y in train_ds:
            last_loss = train_step(x, y)
        for x, y in val_ds:
            val_step(x, y)
        for key, metric in metrics.items():
            history[key].append(float(last_loss) if key == "loss" else float(metric.result()))
    return history
