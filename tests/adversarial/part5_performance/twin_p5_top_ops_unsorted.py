"""top_ops returns the first k operators in the profiler's order, not the most expensive ones.

expect_fail: profiling_sorted
"""
# %% profiling
def top_ops(model, x, k=5):
    with torch.no_grad(), profile(activities=[ProfilerActivity.CPU]) as prof:
        model(x)
    return [e.key for e in prof.key_averages()][:k]
