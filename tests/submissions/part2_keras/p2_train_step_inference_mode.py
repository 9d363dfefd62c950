"""The model is called without training=True inside the tape (inference mode): Dropout and BatchNorm do not
train as they should. With a Dense-only model nothing shows; with BatchNormalization the loss and the step differ.

expect_fail: train_step_update
"""
# %% train_step
def make_train_step(model, optimizer, loss_fn):
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss
    return train_step
