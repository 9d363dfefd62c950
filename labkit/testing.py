"""Assertion helpers for the notebooks' test cells.

Every failure raises ``AssertionError`` with a Spanish message that says what was expected and
what was found (and, for numbers, how far off it is). Nothing here writes to stderr: nbgrader
gives 0 to a test cell that does. NumPy functions are captured when this module is imported, so a
later monkeypatch of ``numpy.allclose`` & co. does not change what these helpers decide.
"""
from __future__ import annotations

from typing import Any

import numpy as _np

_asarray = _np.asarray
_abs = _np.abs
_isfinite = _np.isfinite
_argmax = _np.argmax
_unravel = _np.unravel_index
_ndarray = _np.ndarray


def check(condition: Any, message: str) -> None:
    """Raise ``AssertionError(message)`` unless ``condition`` is exactly truthy."""
    if condition is not True and not (type(condition) in (bool, _np.bool_) and bool(condition)):
        raise AssertionError(message)


def as_numpy(x: Any) -> _np.ndarray:
    """A NumPy copy of ``x`` (NumPy array, Python number/list, torch or TF tensor)."""
    if hasattr(x, "detach"):  # torch.Tensor
        x = x.detach().cpu()
        if str(x.dtype) == "torch.bfloat16":
            x = x.float()
        return x.numpy().copy()
    if hasattr(x, "numpy") and not isinstance(x, _ndarray):  # tf.Tensor / tf.Variable
        return _asarray(x.numpy()).copy()
    return _np.array(x)


def check_type(obj: Any, types: type | tuple[type, ...], what: str) -> None:
    """Check ``isinstance(obj, types)`` and say which type was found."""
    if not isinstance(obj, types):
        names = " o ".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))
        raise AssertionError(f"{what} debe ser {names}, y es {type(obj).__name__}.")


def check_shape(x: Any, shape: tuple[int, ...], what: str) -> None:
    """Check the shape of an array or tensor."""
    shape_of_x = x.shape if hasattr(x, "shape") else _asarray(x).shape
    found = tuple(int(d) for d in shape_of_x)
    if found != tuple(shape):
        raise AssertionError(f"{what}: se esperaba la forma {tuple(shape)} y tiene {found}.")


def assert_close(found: Any, expected: Any, *, atol: float = 1e-6, rtol: float = 0.0,
                 what: str = "el resultado") -> None:
    """Check ``|found - expected| <= atol + rtol * |expected|`` elementwise.

    On failure the message gives the largest difference, where it is, and how many values are off.
    """
    f = as_numpy(found).astype(_np.float64)
    e = as_numpy(expected).astype(_np.float64)
    if f.shape != e.shape:
        raise AssertionError(f"{what}: se esperaba la forma {e.shape} y tiene {f.shape}.")
    if not _isfinite(f).all():
        bad = int((~_isfinite(f)).sum())
        raise AssertionError(f"{what}: contiene {bad} valor(es) NaN o infinito(s); "
                             "se esperaban números finitos.")
    diff = _abs(f - e)
    tol = atol + rtol * _abs(e)
    off = diff > tol
    if off.any():
        worst = _unravel(int(_argmax(diff - tol)), diff.shape) if diff.ndim else ()
        where = f" en la posición {tuple(int(i) for i in worst)}" if worst else ""
        raise AssertionError(
            f"{what} no coincide con lo esperado: diferencia máxima {diff.max():.3e}{where} "
            f"(esperado {e[worst]:.6g}, encontrado {f[worst]:.6g}; tolerancia {atol:g}"
            f"{f' + {rtol:g}·|esperado|' if rtol else ''}). "
            f"{int(off.sum())} de {off.size} valor(es) fuera de tolerancia."
        )


def check_raises(fn, exc: type[BaseException], what: str) -> BaseException:
    """Call ``fn()`` and check that it raises ``exc``; return the exception."""
    try:
        fn()
    except exc as err:  # noqa: PERF203
        return err
    except Exception as err:  # a different exception
        raise AssertionError(f"{what}: se esperaba {exc.__name__} y se lanzó "
                             f"{type(err).__name__}: {err}") from None
    raise AssertionError(f"{what}: se esperaba {exc.__name__}, pero no se lanzó ninguna excepción.")
