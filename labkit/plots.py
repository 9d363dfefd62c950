"""Small plotting helpers shared by the notebooks (matplotlib, headless-safe)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence


def _pyplot():
    import matplotlib.pyplot as plt  # falls back to Agg when there is no display

    return plt


def plot_curves(curves: Mapping[str, Sequence[float]], *, title: str = "",
                xlabel: str = "época", ylabel: str = "pérdida", ax=None):
    """Plot one line per named curve (e.g. ``{"NumPy": losses_np, "PyTorch": losses_pt}``).

    Returns the matplotlib ``Axes`` so the caller can add to it.
    """
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    styles = ["-", "--", ":", "-."]
    for i, (label, values) in enumerate(curves.items()):
        ax.plot(list(values), styles[i % len(styles)], label=label, linewidth=2)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend()
    return ax


def show_digits(images, labels=None, n: int = 10, *, title: str = ""):
    """Show the first ``n`` digit images ((N, 64) or (N, 8, 8)) in a row."""
    import numpy as np

    plt = _pyplot()
    images = np.asarray(images)[:n].reshape(-1, 8, 8)
    fig, axes = plt.subplots(1, len(images), figsize=(1.2 * len(images), 1.6))
    for i, ax in enumerate(np.atleast_1d(axes)):
        ax.imshow(images[i], cmap="gray_r")
        ax.set_axis_off()
        if labels is not None:
            ax.set_title(str(labels[i]))
    if title:
        fig.suptitle(title)
    return fig
