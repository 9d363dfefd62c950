"""train_digits_keras ignores its epochs argument and always trains 20 epochs (the default the old test used).

expect_fail: digits_keras_history
"""
# %% digits_keras +
def train_digits_keras(model, X, y, epochs=20):
    return model.fit(X, y, epochs=20, validation_split=0.2, verbose=0)
