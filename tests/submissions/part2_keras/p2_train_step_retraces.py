"""A new tf.function is created on every call: it is traced again at every training step.

expect_fail: train_step_traced_once
"""
# %% train_step
def make_train_step(model, optimizer, loss_fn):
    def one_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    def train_step(x, y):
        return tf.function(one_step)(x, y)

    return train_step
