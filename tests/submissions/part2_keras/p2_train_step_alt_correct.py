"""Correct alternative: tf.function(reduce_retracing=True) and Keras 3's optimizer.apply(grads, variables)
instead of apply_gradients(zip(...)).

expect: full
"""
# %% train_step
def make_train_step(model, optimizer, loss_fn):
    @tf.function(reduce_retracing=True)
    def train_step(x, y):
        with tf.GradientTape() as tape:
            predictions = model(x, training=True)
            loss = loss_fn(y, predictions)
        variables = model.trainable_variables
        optimizer.apply(tape.gradient(loss, variables), variables)
        return loss
    return train_step
