"""top_ops lists the model's layer types instead of the operators measured by the profiler.

expect_fail: profiling_names
"""
# %% profiling +
def top_ops(model, x, k=5):
    names = [type(m).__name__ for m in model.modules() if not isinstance(m, nn.Sequential)]
    return names[:k]
