"""Offline datasets with seeded, stratified splits (no downloads: scikit-learn's bundled data).

Digit features come flattened, shape (N, 64), float32 scaled to [0, 1] (raw pixels go 0..16).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Split(NamedTuple):
    """A train/test split: ``X_train, X_test, y_train, y_test`` (unpacks like scikit-learn's)."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


def load_digits(scaled: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """All 1797 digits: ``X`` (1797, 64) float32 (in [0, 1] when ``scaled``), ``y`` int64 (0..9)."""
    from sklearn.datasets import load_digits as _load

    data = _load()
    X = data.data.astype(np.float32)
    if scaled:
        X /= 16.0
    return X, data.target.astype(np.int64)


def load_digit_images() -> tuple[np.ndarray, np.ndarray]:
    """Raw digit images: ``images`` (1797, 8, 8) float32 in [0, 16], ``y`` int64."""
    from sklearn.datasets import load_digits as _load

    data = _load()
    return data.images.astype(np.float32), data.target.astype(np.int64)


def split(X: np.ndarray, y: np.ndarray, test_size: float = 0.2, seed: int = 0,
          stratify: bool = True) -> Split:
    """Seeded (stratified by default) train/test split."""
    from sklearn.model_selection import train_test_split

    parts = train_test_split(X, y, test_size=test_size, random_state=seed,
                             stratify=y if stratify else None)
    return Split(*parts)


def digits_split(test_size: float = 0.2, seed: int = 0) -> Split:
    """Digits, scaled to [0, 1], split train/test with a fixed seed."""
    X, y = load_digits()
    return split(X, y, test_size=test_size, seed=seed)


def binary_classification(n_samples: int = 1000, n_features: int = 20, seed: int = 42,
                          test_size: float = 0.2) -> Split:
    """``make_classification`` data (float32 features, int64 labels 0/1), split 80/20 by default."""
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=n_samples, n_features=n_features, random_state=seed)
    return split(X.astype(np.float32), y.astype(np.int64), test_size=test_size, seed=seed)


def one_hot(y: np.ndarray, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer labels: (N,) -> (N, num_classes) float64."""
    y = np.asarray(y, dtype=np.int64)
    if y.ndim != 1:
        raise ValueError(f"one_hot espera etiquetas 1D (N,), y recibió la forma {y.shape}.")
    k = int(y.max()) + 1 if num_classes is None else int(num_classes)
    if y.size and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"Las etiquetas deben estar entre 0 y {k - 1}; hay valores en "
                         f"[{y.min()}, {y.max()}].")
    return np.eye(k)[y]
