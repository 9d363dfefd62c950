"""The course's pre-trained bases for transfer learning (COURSE_SPEC §3), one per framework.

No classroom or CI machine can download ImageNet weights, so the course pre-trains its own base:
a small CNN trained on the digits 0–4 (with shift-and-noise augmentation and a classifier head of
its own, which is not part of the base). Students reuse it on the digits 5–9.

Architecture (identical in both frameworks)::

    (N, 64) -> one 8×8 channel -> Conv 3×3, 16 filters, same padding -> BatchNorm -> ReLU
            -> Conv 3×3, 32 filters, same padding -> ReLU -> MaxPool 2×2 -> Flatten -> (N, 512)

The weights are pre-trained once with PyTorch (deterministic: fixed seeds, one thread; about two
seconds on a CPU) and cached on disk as a NumPy ``.npz`` file, in ``$LABKIT_CACHE`` when set, else in
``<repo>/.cache/labkit/`` (``~/.cache/labkit/`` for a non-editable install). The file is written
atomically, so notebooks that build it at the same time never read a half-written file; if the
folder is not writable the weights stay in memory. ``keras_base()`` loads the very same weights, so
both bases compute the same features (the Keras one has a ``Permute`` before ``Flatten`` so that
its features come out in PyTorch's channel-first order).

Importing this module imports no framework: ``torch_base`` imports PyTorch, ``keras_base`` imports
Keras (and PyTorch only when the weights are not cached yet). Building a base never changes the
global random state of PyTorch, NumPy or Keras.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from labkit.data import Split, load_digits

#: Number of features the bases return per example.
OUT_FEATURES = 512
#: Digits the bases were pre-trained on, and the digits they are reused on (relabelled 0..4).
SOURCE_DIGITS = (0, 1, 2, 3, 4)
TARGET_DIGITS = (5, 6, 7, 8, 9)

# Bump when the architecture or the pre-training recipe changes: the cache file name changes too.
_VERSION = 1
_FILE = f"digits_cnn_base_v{_VERSION}.npz"
# Pre-training recipe.
_SEED = 0
_EPOCHS = 10
_BATCH = 64
_LR = 3e-3
_NOISE = 0.05
# PyTorch state_dict keys of the base and their shapes (the cache must hold exactly these).
_SHAPES = {
    "1.weight": (16, 1, 3, 3), "1.bias": (16,),
    "2.weight": (16,), "2.bias": (16,), "2.running_mean": (16,), "2.running_var": (16,),
    "4.weight": (32, 16, 3, 3), "4.bias": (32,),
}
_BN_EPS = 1e-5
_memo: dict[str, dict[str, np.ndarray]] = {}


def cache_dir() -> Path:
    """Folder of the weights cache: ``$LABKIT_CACHE``, else ``<repo>/.cache/labkit`` (editable
    install) or ``~/.cache/labkit``. It is not created here."""
    env = os.environ.get("LABKIT_CACHE")
    if env:
        return Path(env).expanduser()
    repo = Path(__file__).resolve().parents[1]
    if (repo / "pyproject.toml").is_file():
        return repo / ".cache" / "labkit"
    return Path.home() / ".cache" / "labkit"


def cache_path() -> Path:
    """Path of the cached weights file (it may not exist yet)."""
    return cache_dir() / _FILE


# ---------------------------------------------------------------------------------------------
# data

def _shift_and_noise(images: np.ndarray, rng: np.random.Generator, noise: float) -> np.ndarray:
    """Shift each (8, 8) image by at most one pixel (zero fill) and add Gaussian noise, in [0, 1]."""
    n = len(images)
    padded = np.zeros((n, 10, 10), dtype=np.float32)
    padded[:, 1:9, 1:9] = images
    dy = rng.integers(0, 3, n)
    dx = rng.integers(0, 3, n)
    rows = dy[:, None] + np.arange(8)[None, :]
    cols = dx[:, None] + np.arange(8)[None, :]
    shifted = padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]
    shifted += rng.normal(0.0, noise, shifted.shape).astype(np.float32)
    return np.clip(shifted, 0.0, 1.0)


def transfer_split(n_per_class: int = 20, seed: int = 0) -> Split:
    """The target task: digits 5–9 relabelled 0–4 (``label = digit - 5``).

    ``n_per_class`` examples of each class, drawn with ``seed``, form the (small) training set;
    every other example of the digits 5–9 is the test set. Features are flattened (N, 64) and
    scaled to [0, 1], float32; labels int64. Returns ``Split(X_train, X_test, y_train, y_test)``.
    """
    X, y = load_digits()
    keep = y >= TARGET_DIGITS[0]
    X, y = X[keep], y[keep] - TARGET_DIGITS[0]
    counts = np.bincount(y, minlength=len(TARGET_DIGITS))
    if not 1 <= int(n_per_class) < int(counts.min()):
        raise ValueError(f"n_per_class debe estar entre 1 y {int(counts.min()) - 1} (hay al menos "
                         f"{int(counts.min())} ejemplos por clase); se recibió {n_per_class!r}.")
    rng = np.random.default_rng(seed)
    train = np.concatenate([rng.choice(np.flatnonzero(y == c), int(n_per_class), replace=False)
                            for c in range(len(TARGET_DIGITS))])
    train = rng.permutation(train)
    test = np.setdiff1d(np.arange(len(y)), train)
    return Split(X[train], X[test], y[train], y[test])


# ---------------------------------------------------------------------------------------------
# PyTorch

def _torch_layers():
    from torch import nn

    return [nn.Unflatten(1, (1, 8, 8)),
            nn.Conv2d(1, 16, kernel_size=3, padding=1),
            nn.BatchNorm2d(16, eps=_BN_EPS),
            nn.ReLU(),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten()]


def _pretrain() -> dict[str, np.ndarray]:
    """Pre-train the base on the digits 0–4 (augmented) with its own linear head; return the
    base's weights as NumPy arrays. Deterministic; leaves the global random state untouched."""
    import torch
    from torch import nn

    X, y = load_digits()
    keep = y <= SOURCE_DIGITS[-1]
    images = X[keep].reshape(-1, 8, 8)
    labels = torch.from_numpy(y[keep])
    rng = np.random.default_rng(_SEED)
    threads = torch.get_num_threads()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(_SEED)
        torch.set_num_threads(1)  # same floating-point sums on every machine
        try:
            base = nn.Sequential(*_torch_layers())
            model = nn.Sequential(base, nn.Linear(OUT_FEATURES, len(SOURCE_DIGITS)))
            optimizer = torch.optim.Adam(model.parameters(), lr=_LR)
            model.train()
            for _ in range(_EPOCHS):
                X_aug = torch.from_numpy(_shift_and_noise(images, rng, _NOISE).reshape(-1, 64))
                order = torch.from_numpy(rng.permutation(len(labels)))
                for start in range(0, len(order), _BATCH):
                    idx = order[start:start + _BATCH]
                    loss = nn.functional.cross_entropy(model(X_aug[idx]), labels[idx])
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
        finally:
            torch.set_num_threads(threads)
    state = base.state_dict()
    return {k: state[k].detach().cpu().numpy().copy() for k in _SHAPES}


def _valid(weights: dict[str, np.ndarray]) -> bool:
    return (set(weights) == set(_SHAPES)
            and all(tuple(weights[k].shape) == s and np.isfinite(weights[k]).all()
                    for k, s in _SHAPES.items()))


def _read(path: Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            weights = {k: data[k].astype(np.float32) for k in data.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    return weights if _valid(weights) else None


def _write(path: Path, weights: dict[str, np.ndarray]) -> bool:
    """Write ``weights`` atomically (temporary file + ``os.replace``); False if not writable."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.stem + ".", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **weights)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600: let every user of the machine read the cache
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp is not None and os.path.exists(tmp):
            try:
                os.remove(tmp)
            except OSError:
                pass
        return False


def pretrained_weights(*, refresh: bool = False) -> dict[str, np.ndarray]:
    """The base's pre-trained weights as NumPy arrays, keyed as the PyTorch base's ``state_dict``.

    Read from the cache when present (and from memory after the first call); otherwise pre-trained
    (a couple of seconds) and cached. ``refresh=True`` pre-trains again and rewrites the cache.
    The arrays returned are copies: changing them changes nothing else.
    """
    path = cache_path()
    key = str(path)
    weights = None if refresh else _memo.get(key)
    if weights is None and not refresh:
        weights = _read(path)
    if weights is None:
        weights = _pretrain()
        _write(path, weights)
    _memo[key] = weights
    return {k: v.copy() for k, v in weights.items()}


def torch_base():
    """A fresh pre-trained PyTorch base: an ``nn.Sequential`` (N, 64) -> (N, 512).

    It has the attribute ``out_features = 512`` and is returned in training mode, with every
    parameter trainable, like any freshly built module: freezing it is up to you. Call ``.eval()``
    to use it as a fixed feature extractor (BatchNorm then uses its running statistics).
    """
    import torch
    from torch import nn

    weights = pretrained_weights()
    with torch.random.fork_rng(devices=[]):  # layer initialisation must not move the global RNG
        base = nn.Sequential(*_torch_layers())
    base.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()}, strict=False)
    base.out_features = OUT_FEATURES
    return base


# ---------------------------------------------------------------------------------------------
# Keras

def keras_base(name: str = "pretrained_base"):
    """A fresh pre-trained Keras base: a ``keras.Sequential`` with input (64,) and output (512,).

    Same architecture and same weights as :func:`torch_base` (its features equal the PyTorch
    base's in inference mode). Every layer is trainable: freezing it (``base.trainable = False``)
    and calling it with ``training=False`` is up to you.
    """
    import keras
    from keras import layers

    weights = pretrained_weights()
    zeros = "zeros"  # real values are set below: no draw from Keras' global seed generator
    base = keras.Sequential([
        keras.Input(shape=(64,)),
        layers.Reshape((8, 8, 1)),
        layers.Conv2D(16, 3, padding="same", kernel_initializer=zeros, name="conv1"),
        layers.BatchNormalization(epsilon=_BN_EPS, momentum=0.9, name="bn1"),
        layers.ReLU(),
        layers.Conv2D(32, 3, padding="same", activation="relu", kernel_initializer=zeros, name="conv2"),
        layers.MaxPooling2D(2),
        layers.Permute((3, 1, 2), name="channels_first"),  # same feature order as PyTorch
        layers.Flatten(),
    ], name=name)
    base.get_layer("conv1").set_weights([weights["1.weight"].transpose(2, 3, 1, 0), weights["1.bias"]])
    base.get_layer("bn1").set_weights([weights["2.weight"], weights["2.bias"],
                                       weights["2.running_mean"], weights["2.running_var"]])
    base.get_layer("conv2").set_weights([weights["4.weight"].transpose(2, 3, 1, 0), weights["4.bias"]])
    return base


__all__ = ["OUT_FEATURES", "SOURCE_DIGITS", "TARGET_DIGITS", "cache_dir", "cache_path",
           "keras_base", "pretrained_weights", "torch_base", "transfer_split"]
