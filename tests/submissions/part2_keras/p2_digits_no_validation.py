"""train_digits_keras trains without validation_split: the History has no val_loss.

expect_fail: digits_keras_history
"""
# %% digits_keras +
def train_digits_keras(model, X, y, epochs=20):
    return model.fit(X, y, epochs=epochs, verbose=0)
