"""Seed every random number generator the course uses."""
from __future__ import annotations

import os
import random
import sys


def seed_everything(seed: int = 0, *, deterministic: bool = False) -> None:
    """Seed ``random``, NumPy and, when already imported, PyTorch and TensorFlow/Keras.

    Frameworks that are not imported yet are not imported here (importing TensorFlow costs
    seconds): call this after your imports. With ``deterministic=True`` PyTorch and TensorFlow
    also switch to deterministic kernels, for tests that need bit-exact results.
    """
    seed = int(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    import numpy as np

    np.random.seed(seed)
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        torch.manual_seed(seed)
        if deterministic:
            torch.use_deterministic_algorithms(True, warn_only=True)
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(seed)
    elif "tensorflow" in sys.modules:
        sys.modules["tensorflow"].random.set_seed(seed)
    if deterministic and "tensorflow" in sys.modules:
        sys.modules["tensorflow"].config.experimental.enable_op_determinism()
