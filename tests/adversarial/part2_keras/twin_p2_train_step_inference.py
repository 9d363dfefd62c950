"""Honest wrong twin of adv_p2_patch_batchnorm: the train step calls the model with training=False
(BatchNormalization then uses its moving averages, and the step trains the wrong function).

expect_fail: train_step_update
"""
# %% train_step
def make_train_step(model, optimizer, loss_fn):
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=False))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss
    return train_step
