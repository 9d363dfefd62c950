"""Correct answers whose code writes to stderr (a UserWarning and a log line): must keep full marks.

expect: full
"""
# %% convert
import sys
import warnings

warnings.simplefilter("always")  # warn on every call, also inside the test cells


def to_torch(x):
    warnings.warn("to_torch: compartiendo memoria con NumPy", UserWarning)
    return torch.from_numpy(x)


def to_numpy(t):
    print("to_numpy: copiando a la CPU", file=sys.stderr)
    return t.detach().cpu().numpy()
