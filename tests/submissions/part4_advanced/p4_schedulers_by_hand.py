"""lr_trace computes the schedules with their formulas instead of reading them from torch schedulers.

expect_fail: schedulers_real
"""
# %% schedulers
import math


def lr_trace(kind, epochs, lr=0.1):
    if kind == "step":
        return [lr * 0.1 ** (epoch // 10) for epoch in range(epochs)]
    return [lr * (1 + math.cos(math.pi * epoch / epochs)) / 2 for epoch in range(epochs)]
