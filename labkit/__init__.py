"""labkit — shared plumbing for the Lab 08 notebooks and the instructor's grading tooling.

Importing ``labkit`` is cheap: it never imports PyTorch or TensorFlow. Framework-specific helpers
live in their own modules and import their framework lazily.

Typical first cell of a notebook::

    import labkit
    labkit.quiet()          # before importing TensorFlow: no log lines on stderr
    labkit.seed_everything(0)
"""
from labkit.quiet import quiet
from labkit.seed import seed_everything

__version__ = "0.1.0"
__all__ = ["quiet", "seed_everything", "__version__"]
