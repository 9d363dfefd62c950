"""labkit — shared plumbing for the Lab 08 notebooks and the instructor's grading tooling.

Importing ``labkit`` is cheap: it never imports PyTorch or TensorFlow (only Triton, where PyTorch's CUDA
build installed it: see ``_triton_before_tensorflow``). Framework-specific helpers
live in their own modules and import their framework lazily.

Typical first cell of a notebook::

    import labkit
    labkit.quiet()          # before importing TensorFlow: no log lines on stderr
    labkit.seed_everything(0)
"""
import importlib.util as _util
import sys as _sys

from labkit.quiet import quiet
from labkit.seed import seed_everything


def _triton_before_tensorflow() -> None:
    """PyTorch's CUDA build (what a plain `pip install torch` gives on Linux) imports Triton lazily,
    and Triton segfaults when it loads after TensorFlow in the same process (part3-7 kernels died
    at their first optimizer step). Loaded first, it does not: do that here, when Triton is installed
    and TensorFlow not yet imported. The CPU build has no Triton: nothing happens."""
    if "tensorflow" in _sys.modules or _util.find_spec("triton") is None:
        return
    try:
        import triton  # noqa: F401
    except Exception:  # noqa: BLE001 — a broken Triton is PyTorch's business, not this import's
        pass


_triton_before_tensorflow()

__version__ = "0.1.0"
__all__ = ["quiet", "seed_everything", "__version__"]
