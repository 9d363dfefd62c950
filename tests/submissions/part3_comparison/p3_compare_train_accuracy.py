"""The accuracy is measured on the training data instead of (X_test, y_test).

expect_fail: compare_results
"""
# %% fair_compare +
_reference_compare = compare_frameworks


def compare_frameworks(X_train, y_train, X_test, y_test, epochs=20, batch_size=32, n_runs=3, seed=0):
    return _reference_compare(X_train, y_train, X_train, y_train, epochs, batch_size, n_runs, seed)
