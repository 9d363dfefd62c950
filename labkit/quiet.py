"""Keep framework noise off stderr (nbgrader gives 0 to a test cell that writes to stderr)."""
from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import logging
import os
import sys
import warnings

# Environment variables read by TensorFlow / absl / gRPC at import time.
_ENV_DEFAULTS = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # C++ log lines (oneDNN notice, CUDA probing, ...)
    "TF_CPP_MIN_VLOG_LEVEL": "0",
    "GRPC_VERBOSITY": "ERROR",
    "KERAS_BACKEND": "tensorflow",
}

# Known harmless warnings raised by the frameworks on a CPU-only machine.
_NOISE = (
    r".*CUDA initialization.*",
    r".*TF32.*",
    r".*does not have many workers.*",
    r".*oneDNN custom operations.*",
    r".*np\.object.*",
    r".*Skipping variable loading for optimizer.*",
    r".*`build\(\)` was called on layer.*",
    r".*Do not pass an `input_shape`.*",
    r".*is deprecated.*",
    r".*quantized tensor creation functions.*",
)


# Modules whose import writes C++ log lines straight to file descriptor 2 (TensorFlow 2.21 prints
# "All log messages before absl::InitializeLog() ..." whatever TF_CPP_MIN_LOG_LEVEL says).
_LOUD_IMPORTS = ("tensorflow",)
# Modules to configure right after their first import: PyTorch gets the thread share that the
# tooling gave this kernel (labkit.threads; nothing happens in a student's own JupyterLab).
_CONFIGURE_AFTER_IMPORT = ("torch",)


@contextlib.contextmanager
def _fd2_silenced():
    """Point file descriptor 2 at /dev/null for the duration (C-level writes included)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, AttributeError, ValueError):  # no real fd 2: nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class _QuietLoader(importlib.abc.Loader):
    """Run the real loader with fd 2 silenced (Python exceptions still propagate normally)."""

    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name):  # get_resource_reader, is_package, ... of the real loader
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        if module.__name__ in _LOUD_IMPORTS:
            with _fd2_silenced():
                self._loader.exec_module(module)
        else:
            self._loader.exec_module(module)
        if module.__name__ in _CONFIGURE_AFTER_IMPORT:
            from labkit.threads import configure_torch

            configure_torch()


class _QuietImportFinder(importlib.abc.MetaPathFinder):
    """On the first import of a module in ``_LOUD_IMPORTS`` (silenced) or ``_CONFIGURE_AFTER_IMPORT``
    (configured once loaded), wrap its loader in ``_QuietLoader``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in (*_LOUD_IMPORTS, *_CONFIGURE_AFTER_IMPORT) or fullname in sys.modules:
            return None
        sys.meta_path.remove(self)  # let the normal finders answer, then put ourselves back
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def quiet() -> None:
    """Silence TensorFlow/absl logging and known framework warnings.

    Call it before importing TensorFlow: it sets the log-level variables read at import time and
    silences file descriptor 2 while ``tensorflow`` is first imported (TF 2.21 writes its absl
    start-up lines there regardless of ``TF_CPP_MIN_LOG_LEVEL``). Calling it again after the import
    also lowers the Python loggers. Safe to call any number of times.
    """
    for key, value in _ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if not any(isinstance(f, _QuietImportFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietImportFinder())
    for pattern in _NOISE:
        warnings.filterwarnings("ignore", message=pattern)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning, module="keras.*")
    for name in ("tensorflow", "absl", "h5py", "matplotlib", "jax"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if "torch" in sys.modules:
        from labkit.threads import configure_torch

        configure_torch()
    if "absl.logging" in sys.modules:
        sys.modules["absl.logging"].set_verbosity("error")
    if "tensorflow" in sys.modules:
        tf = sys.modules["tensorflow"]
        try:
            tf.get_logger().setLevel(logging.ERROR)
            tf.autograph.set_verbosity(0)
        except AttributeError:  # partially imported module
            pass
