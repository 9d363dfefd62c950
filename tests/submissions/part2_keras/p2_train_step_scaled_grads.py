"""Gradients doubled before apply_gradients (a "fix" for slow training): not one plain step.

expect_fail: train_step_update
"""
# %% train_step
def make_train_step(model, optimizer, loss_fn):
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip([g * 2.0 for g in grads], model.trainable_variables))
        return loss
    return train_step
