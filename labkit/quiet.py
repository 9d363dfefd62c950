"""Keep framework noise off stderr (nbgrader gives 0 to a test cell that writes to stderr)."""
from __future__ import annotations

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
)


def quiet() -> None:
    """Silence TensorFlow/absl logging and known framework warnings.

    Call it before importing TensorFlow (the C++ log level is read at import time); calling it
    again after the import also lowers the Python loggers. Safe to call any number of times.
    """
    for key, value in _ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    for pattern in _NOISE:
        warnings.filterwarnings("ignore", message=pattern)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning, module="keras.*")
    for name in ("tensorflow", "absl", "h5py", "matplotlib", "jax"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if "absl.logging" in sys.modules:
        sys.modules["absl.logging"].set_verbosity("error")
    if "tensorflow" in sys.modules:
        tf = sys.modules["tensorflow"]
        try:
            tf.get_logger().setLevel(logging.ERROR)
            tf.autograph.set_verbosity(0)
        except AttributeError:  # partially imported module
            pass
