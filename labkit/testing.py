"""Assertion helpers for the notebooks' test cells — and the design every hidden test follows.

Every failure raises ``AssertionError`` with a Spanish message that says what was expected and
what was found (and, for numbers, how far off it is). Nothing here writes to stderr: nbgrader
gives 0 to a test cell that does. NumPy functions are captured when this module is imported, so a
later monkeypatch of ``numpy.allclose`` & co. does not change what these helpers decide.

Hidden-test design
------------------
A test shares the kernel with the student's code, and that code runs *during* the test (the test
calls it). Three kinds of attack follow, and each rule below closes one; every hidden test of the
course follows all four.

1. **Test values out of reach.** While grading, every test cell runs as the body of its own
   function (:mod:`labkit.grading.run.scope`): what a test computes — expected values, reference
   networks, spies — is a local of that call, never a notebook global the student's function could
   read (only names that a later cell of the course reads stay globals). Reaching into the running
   test's frame (``sys._getframe``, ``inspect``, a traceback's ``tb_frame``, ``gc``) from notebook code
   is seen by an audit hook that cannot be removed, and the probe scores that test cell 0. Authors
   also **call the student's code first and compute what it is compared with after**, and pass it
   fresh inputs only.
2. **Plain values only.** Every student result is turned into plain values before any verdict:
   :func:`plain` (an exact ``numpy.ndarray`` of a numeric dtype, exact Python scalars, strings, lists,
   tuples, dicts), or the helpers below, which do it themselves. A tensor subclass or an object with
   its own ``__eq__`` / ``__sub__`` / ``__array_ufunc__`` / ``shape`` is refused with a Spanish message:
   after the conversion none of its code runs, so a comparison cannot be faked. :func:`check_type`
   requires value types (tensors, arrays, lists, dicts, numbers, strings) to be exactly that type;
   model types (``nn.Module``, ``keras.Model``) still accept the student's subclasses.
3. **Compare only with these helpers**, captured before any student code ran: never a bare ``==``,
   ``allclose``, ``len`` or ``in`` on a student's object. The grader's probe also watches the methods and
   properties of the framework classes the tests use (``torch.Tensor``, ``nn.Module``, ``np.ndarray``,
   ``tf.Tensor``, ``keras.Model``, ``keras.Layer`` ...) and of the modules (``numpy``, ``torch``, ``time``,
   ``labkit.testing`` ...): a test cell after which one of them was replaced by notebook code scores 0.
4. **Behaviour, not form.** Any correct implementation the statement allows gets full marks: read
   multi-output Keras predictions by name (:func:`outputs_by_name`), count work (epochs, batches,
   calls), never wall-clock time, and set float32 tolerances from float32 rounding.

What a finding does to a grade is in :mod:`labkit.grading.flags` (*pendiente de revisión*).
"""
from __future__ import annotations

from typing import Any

from collections import OrderedDict as _OrderedDict

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


def _exact_types(t: type) -> tuple | None:
    """For a value type, the exact classes a result of that type may have (subclasses could bring
    their own comparison or arithmetic); None for other types (a student's ``nn.Module`` subclass
    is the point of many exercises)."""
    import sys

    if t in (list, tuple, dict, str, bytes, bool, complex):
        return (t,)
    if t is int:
        return (int,)
    if t is float:
        return (float, _np.float64)
    if t is _ndarray:
        return (_ndarray,)
    if t in (_np.floating, _np.integer, _np.number, _np.generic):
        return tuple(c for c in (_np.float16, _np.float32, _np.float64, _np.int8, _np.int16, _np.int32, _np.int64,
                                 _np.uint8, _np.bool_) if issubclass(c, t))
    torch = sys.modules.get("torch")
    if torch is not None and t in (torch.Tensor, torch.nn.Parameter):
        return _framework_types("torch") if t is torch.Tensor else (torch.nn.Parameter,)
    tf = sys.modules.get("tensorflow")
    if tf is not None and t in (tf.Tensor, tf.Variable):
        return _framework_types("tf")
    return None


def check_type(obj: Any, types: type | tuple[type, ...], what: str) -> None:
    """Check the type of ``obj`` and say which type was found. Value types (tensors, arrays,
    lists, dicts, numbers, strings) must be exactly that type: a subclass is refused."""
    types = types if isinstance(types, tuple) else (types,)
    ok = False
    for t in types:
        exact = _exact_types(t)
        if (type(obj) in exact) if exact is not None else isinstance(obj, t):
            ok = True
            break
    if not ok:
        names = " o ".join(t.__name__ for t in types)
        subclass = " (una subclase no vale: devuelve el tipo tal cual)" if isinstance(obj, types) else ""
        raise AssertionError(f"{what} debe ser {names}, y es {type(obj).__name__}{subclass}.")


def check_shape(x: Any, shape: tuple[int, ...], what: str) -> None:
    """Check the shape of an array or tensor (read from its plain values, see :func:`plain`)."""
    found = tuple(int(d) for d in _asarray(plain(x, what)).shape)
    if found != tuple(shape):
        raise AssertionError(f"{what}: se esperaba la forma {tuple(shape)} y tiene {found}.")


def assert_close(found: Any, expected: Any, *, atol: float = 1e-6, rtol: float = 0.0,
                 what: str = "el resultado") -> None:
    """Check ``|found - expected| <= atol + rtol * |expected|`` elementwise.

    On failure the message gives the largest difference, where it is, and how many values are off.
    """
    f = _asarray(plain(found, what), dtype=_np.float64)
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


# --- plain values: what a verdict may look at ------------------------------------------------------

_PLAIN_SCALARS = (bool, int, float, complex, str, type(None))
_NUMERIC_KINDS = "biufc"


_EXEMPLARS: dict[str, tuple] = {}


def _framework_types(kind: str) -> tuple:
    """The exact tensor classes of a loaded framework (found by identity, never by name)."""
    import sys

    if kind not in _EXEMPLARS:
        found: tuple = ()
        if kind == "torch" and "torch" in sys.modules:
            torch = sys.modules["torch"]
            found = (torch.Tensor, torch.nn.Parameter)
        elif kind == "tf" and "tensorflow" in sys.modules:
            tf = sys.modules["tensorflow"]
            found = (type(tf.constant(0.0)), type(tf.Variable(0.0)))
            keras = sys.modules.get("keras")
            if keras is not None and hasattr(keras, "Variable"):
                found += (type(keras.Variable(0.0)),)
        else:
            return ()
        _EXEMPLARS[kind] = found
    if kind == "torch":  # the course's own simulated GPU tensor (labkit.testing_torch), once loaded
        helper = sys.modules.get("labkit.testing_torch")
        return _EXEMPLARS[kind] + ((helper.GpuLikeTensor,) if helper is not None else ())
    return _EXEMPLARS[kind]


def _exact_tensor(x) -> str | None:
    """``"torch"`` / ``"tf"`` when ``x`` is exactly a framework tensor type (no subclass), else None."""
    t = type(x)
    for kind in ("torch", "tf"):
        if t in _framework_types(kind):
            return kind
    return None


def _tensor_to_numpy(x, kind: str):
    if kind == "torch":
        import torch

        with torch._C.DisableTorchFunctionSubclass():
            t = torch.Tensor.detach(x).cpu()
            if t.dtype == torch.bfloat16:
                t = t.float()
            return _np.array(torch.Tensor.numpy(t), copy=True)
    import keras
    import tensorflow as tf

    if hasattr(keras, "Variable") and isinstance(x, keras.Variable):
        x = x.value
    return _np.array(tf.convert_to_tensor(x).numpy(), copy=True)


def plain(x: Any, what: str = "el resultado") -> Any:
    """``x`` as plain values a verdict can trust: an exact ``numpy.ndarray`` of a numeric or boolean
    dtype for arrays and tensors (PyTorch, TensorFlow/Keras), exact Python scalars, strings, lists,
    tuples and dicts (recursively). Subclasses and objects with their own arithmetic or comparison
    (a tensor subclass, an object "equal to everything") are refused with a Spanish message: no code
    of theirs runs after this call, so a comparison of what it returns cannot be faked.
    """
    t = type(x)
    if t in _PLAIN_SCALARS:
        return x
    if t is _ndarray:
        if x.dtype.kind not in _NUMERIC_KINDS:
            raise AssertionError(f"{what}: se esperaban números y el array tiene dtype {x.dtype}.")
        return _np.array(x, copy=True)
    if isinstance(x, _np.generic) and t.__module__ == "numpy":
        return x.item()
    kind = _exact_tensor(x)
    if kind:
        arr = _tensor_to_numpy(x, kind)
        if arr.dtype.kind not in _NUMERIC_KINDS:
            raise AssertionError(f"{what}: se esperaban números y el tensor tiene dtype {arr.dtype}.")
        return arr
    if t is list:
        return [plain(v, what) for v in x]
    if t is tuple:
        return tuple(plain(v, what) for v in x)
    if t is dict or t is _OrderedDict:  # a state_dict() is an OrderedDict (stdlib: no code of the student's)
        out = {}
        for k, v in x.items():
            if type(k) not in (str, int):
                raise AssertionError(f"{what}: las claves deben ser str o int, y hay una {type(k).__name__}.")
            out[k] = plain(v, f"{what}[{k!r}]")
        return out
    raise AssertionError(f"{what} debe ser un valor simple (número, array o tensor de NumPy/PyTorch/TensorFlow, "
                         f"lista, tupla o dict), y es {t.__name__}.")


def outputs_by_name(model: Any, y_pred: Any) -> dict:
    """The predictions of a multi-output Keras model as ``{output name: array}``, whichever form the
    model returns them in: a list or tuple in ``model.output_names`` order, or a dict keyed by name
    (Keras 3's ``keras.Model(inputs, {"digit": ..., "parity": ...})``). Values are :func:`plain` arrays."""
    if type(y_pred) is dict:
        return {str(k): _asarray(plain(v, f"la salida '{k}'"), dtype=float) for k, v in y_pred.items()}
    names = [str(n) for n in plain(list(getattr(model, "output_names", None) or []), "model.output_names")]
    values = plain(list(y_pred) if type(y_pred) in (list, tuple) else [y_pred], "las salidas del modelo")
    if len(names) != len(values):
        raise AssertionError(f"El modelo tiene {len(names)} nombres de salida ({names}) y devolvió "
                             f"{len(values)} salida(s).")
    return {n: _asarray(v, dtype=float) for n, v in zip(names, values)}


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


_type = type


def notebook_code(value: Any) -> bool:
    """Whether ``value`` (a function, property, descriptor or callable object) runs code that comes
    neither from an installed package nor from labkit, i.e. code written in the notebook. Used by the
    hidden tests' guards of framework classes (``labkit.testing_torch``, ``labkit.testing_tf``)."""
    import os
    import sys

    for _unwrap in range(4):
        if isinstance(value, property):
            value = value.fget or value.fset
        elif isinstance(value, (staticmethod, classmethod)) or hasattr(value, "__func__"):
            value = value.__func__
        else:
            break
    code = getattr(value, "__code__", None)
    if code is None:
        return callable(value) and _type(value).__module__ == "__main__"
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    trusted = tuple(os.path.realpath(p) + os.sep for p in {sys.prefix, sys.base_prefix, here})
    return not (code.co_filename.startswith("<frozen") or os.path.realpath(code.co_filename).startswith(trusted))
