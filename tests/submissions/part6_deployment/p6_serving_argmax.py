"""Answers with the predicted class (argmax) instead of what predict returns.

expect_fail: serving_valid
"""
# %% serving +
_reference_make_handler = make_handler


def make_handler(predict):
    return _reference_make_handler(lambda X: np.asarray(predict(X)).argmax(axis=1))
