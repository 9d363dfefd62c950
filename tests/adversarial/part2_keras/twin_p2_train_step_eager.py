"""Honest wrong twin of adv_p2_hold_call_counter: the train step runs eagerly (no tf.function), so the
model's Python code runs at every step.

expect_fail: train_step_traced_once
"""
# %% train_step
def make_train_step(model, optimizer, loss_fn):
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss
    return train_step
