"""How many threads each kernel the course starts may use — decided in one place.

PyTorch, TensorFlow and the BLAS/OpenMP libraries each start one compute thread per core. Two
kernels at once on two cores then run four or more busy threads that spin against each other:
grading with two workers became *slower* than with one, and a loaded machine made correct
answers time out. Every part of the tooling that runs kernels side by side (grading workers,
nbval and the grading tests under pytest-xdist, the demo, the benchmarks) asks this module for the
environment of its kernels:

* with ``parallel`` kernels sharing the CPU budget of this process tree (its cores, or
  ``$LAB08_CPU_BUDGET`` when a parent already gave it a share), each kernel gets
  ``max(1, budget // parallel)`` threads;
* the share is written into every variable the libraries read when they start:
  ``OMP_NUM_THREADS`` (PyTorch's intra-op pool and OpenMP), ``MKL_NUM_THREADS``,
  ``OPENBLAS_NUM_THREADS``, ``TF_NUM_INTRAOP_THREADS`` / ``TF_NUM_INTEROP_THREADS`` (TensorFlow), and
  ``LAB08_KERNEL_THREADS``, from which :func:`labkit.quiet` sets PyTorch's inter-op pool right after
  ``import torch``;
* what an instructor sets explicitly wins: ``LAB08_KERNEL_THREADS=n`` fixes every kernel's share,
  and an ``OMP_NUM_THREADS`` exported by hand (not by this module) is kept as the share.

A student running one notebook in JupyterLab gets none of this and keeps all cores.
"""
from __future__ import annotations

import os
from typing import Mapping

from labkit import settings

BUDGET_VAR = settings.CPU_BUDGET.name      # cores this process tree may use (set for children by plan())
SHARE_VAR = settings.KERNEL_THREADS.name   # threads per kernel; set by hand to override the rule
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
               "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")
FIXED_VAR = settings.THREADS_FIXED.name   # set by plan() when the share came from the instructor
MANAGED = (*THREAD_VARS, SHARE_VAR, BUDGET_VAR, FIXED_VAR)


def cores() -> int:
    """CPU cores this process may run on (its affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def budget(environ: Mapping[str, str] | None = None) -> int:
    """Cores for this process tree: the share a parent gave it, else every core."""
    environ = os.environ if environ is None else environ
    try:
        return max(1, int(environ[BUDGET_VAR]))
    except (KeyError, ValueError):
        return cores()


def _explicit(environ: Mapping[str, str]) -> int | None:
    """A share the instructor fixed by hand, if any (passed down the tree by plan())."""
    if BUDGET_VAR in environ and not environ.get(FIXED_VAR):
        return None  # the thread variables here were set by plan(), not by hand
    for var in (SHARE_VAR, "OMP_NUM_THREADS"):
        try:
            value = int(environ.get(var, ""))
        except ValueError:
            continue
        if value > 0:
            return value
    return None


def share(parallel: int, environ: Mapping[str, str] | None = None) -> int:
    """Threads for each of ``parallel`` kernels running at once."""
    environ = os.environ if environ is None else environ
    fixed = _explicit(environ)
    if fixed is not None:
        return fixed
    return max(1, budget(environ) // max(1, int(parallel)))


def plan(parallel: int, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment variables for a kernel (or a process that starts kernels) that runs next to
    ``parallel - 1`` others. Merge it into the child's environment before the child starts."""
    environ = os.environ if environ is None else environ
    n = str(share(parallel, environ))
    env = {var: n for var in THREAD_VARS}
    env[BUDGET_VAR] = env[SHARE_VAR] = n
    env[FIXED_VAR] = "1" if _explicit(environ) is not None else ""
    return env


def apply(parallel: int) -> dict[str, str]:
    """Set :func:`plan` in this process's environment (for the kernels and workers it starts)."""
    env = plan(parallel)
    os.environ.update(env)
    return env


def restore(saved: Mapping[str, str | None]) -> None:
    """Put environment variables back as ``saved`` holds them (None: unset)."""
    for var, value in saved.items():
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = value


def describe(parallel: int, environ: Mapping[str, str] | None = None) -> str:
    """One line for a benchmark's header: the rule and the resulting share."""
    environ = os.environ if environ is None else environ
    fixed = _explicit(environ)
    how = "fixed by hand" if fixed is not None else f"{budget(environ)} core(s) // {parallel} kernel(s)"
    return f"threads per kernel: {share(parallel, environ)} ({how})"


def configure_torch(environ: Mapping[str, str] | None = None) -> None:
    """Apply ``$LAB08_KERNEL_THREADS`` to an imported torch (intra- and inter-op pools)."""
    import sys

    environ = os.environ if environ is None else environ
    torch = sys.modules.get("torch")
    try:
        n = int(environ.get(SHARE_VAR, ""))
    except ValueError:
        return
    if torch is None or n < 1:
        return
    try:
        torch.set_num_threads(n)
        torch.set_num_interop_threads(n)
    except (RuntimeError, AttributeError):  # the inter-op pool was already in use
        pass
