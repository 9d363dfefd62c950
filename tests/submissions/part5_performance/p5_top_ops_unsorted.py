"""top_ops returns the first k operators of prof.key_averages() without sorting them by cost.

expect_fail: profiling_sorted
"""
# %% profiling +
def top_ops(model, x, k=5):
    with torch.no_grad(), profile(activities=[ProfilerActivity.CPU]) as prof:
        model(x)
    return [e.key for e in prof.key_averages()][:k]
