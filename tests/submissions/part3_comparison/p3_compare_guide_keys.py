"""Returns the keys of the guide's benchmark_framework (avg_time, std_time, ...) instead of the contract's.

expect_fail: compare_results
"""
# %% fair_compare +
_reference_compare = compare_frameworks


def compare_frameworks(X_train, y_train, X_test, y_test, epochs=20, batch_size=32, n_runs=3, seed=0):
    results = _reference_compare(X_train, y_train, X_test, y_test, epochs, batch_size, n_runs, seed)
    return {name: {"avg_time": r["time_mean"], "std_time": r["time_std"],
                   "avg_accuracy": r["acc_mean"], "std_accuracy": r["acc_std"]}
            for name, r in results.items()}
