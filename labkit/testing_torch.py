"""PyTorch-specific test helpers (imports torch, never TensorFlow).

Hidden tests of the PyTorch notebooks use these helpers instead of defining spies, recorders, fakes
and reference loops inside the test cells (issue 14; the design is in :mod:`labkit.testing`):

* references computed by the test itself: :func:`relu_stack`, :func:`reference_epoch`,
  :func:`outputs`, :func:`accuracy`, :func:`trained_digits_mlp`, :func:`onnx_run`, :func:`serialized_size`;
* structure read as plain values: :func:`param_count`, :func:`linear_layers`, :func:`linear_dims`,
  :func:`state_arrays`, :func:`pruning_leftovers`, :func:`python_loops`;
* spies whose record lives in a closure, out of the student's objects: :func:`mode_spy`,
  :func:`backward_counter`, :func:`call_recorder`, :func:`marked_square`;
* controlled environments: :func:`forbidden`, :func:`simulated_clock`, :func:`gpu_like`;
* a model's deployable size: :func:`pickled_copy`; JSON serving: :func:`reply`, :func:`bad_requests`,
  :func:`looks_spanish`.

The notebooks import this module in their setup cell, before any student code runs, so the
framework classes and functions it captures are the real ones. Sections appended by other
assignments are headed ``# --- partN ---``.
"""
from __future__ import annotations

import torch

_CUDA_NUMPY_ERROR = ("can't convert cuda:0 device type tensor to numpy. "
                     "Use Tensor.cpu() to copy the tensor to host memory first.")


def _targets_cpu(args, kwargs) -> bool:
    for a in list(args[1:]) + list(kwargs.values()):
        if isinstance(a, (str, torch.device)) and torch.device(a).type == "cpu":
            return True
    return False


class GpuLikeTensor(torch.Tensor):
    """A CPU tensor that behaves like a CUDA tensor where a student's code can tell.

    ``.numpy()`` raises the same ``TypeError`` as on a GPU until the tensor is brought back with
    ``.cpu()`` / ``.to("cpu")``; ``.device`` says ``cuda:0`` and ``.is_cuda`` is True. It lets a
    CPU-only machine catch ``tensor.numpy()`` on a GPU tensor, so points never depend on hardware.
    """

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        owner = getattr(func, "__self__", None)
        if owner is torch._C.TensorBase.device:
            return torch.device("cuda", 0)
        if owner is torch._C.TensorBase.is_cuda:
            return True
        if name == "__array__" or (name == "numpy" and not kwargs.get("force", False)):
            raise TypeError(_CUDA_NUMPY_ERROR)
        with torch._C.DisableTorchFunctionSubclass():
            out = func(*args, **kwargs)
        if name == "cpu" or (name == "to" and _targets_cpu(args, kwargs)):
            return out.as_subclass(torch.Tensor)
        if isinstance(out, torch.Tensor) and not isinstance(out, GpuLikeTensor):
            return out.as_subclass(GpuLikeTensor)
        return out


def gpu_like(t: torch.Tensor) -> GpuLikeTensor:
    """Wrap ``t`` (keeping ``requires_grad``) as a :class:`GpuLikeTensor`."""
    out = t.detach().as_subclass(GpuLikeTensor)
    return out.requires_grad_(t.requires_grad)


# --- spies, recorders and references for hidden tests (issue 14) -----------------------------------
# Test cells call these instead of defining their own spies. What a spy records lives in a closure of
# the function that made it (never in an attribute of an object the student's code receives), and
# every value handed back to a verdict is plain (see labkit.testing.plain).

import contextlib as _contextlib
import io as _io

import numpy as _np

from labkit.testing import plain as _plain

_Linear, _Module, _Tensor = torch.nn.Linear, torch.nn.Module, torch.Tensor
_is_grad_enabled, _no_grad = torch.is_grad_enabled, torch.no_grad


def param_count(model: torch.nn.Module) -> int:
    """How many numbers the parameters of ``model`` hold (read as plain arrays)."""
    return int(sum(_plain(p, "un parámetro del modelo").size for p in _Module.parameters(model)))


def linear_layers(model: torch.nn.Module) -> list[tuple[_np.ndarray, _np.ndarray | None]]:
    """``(weight (out, in), bias or None)`` of every ``nn.Linear`` of ``model``, in module order, as
    float64 arrays. Only exact ``nn.Linear`` modules count (a subclass could bring its own weights)."""
    out = []
    for m in _Module.modules(model):
        if type(m) is _Linear:
            w = _np.asarray(_plain(m.weight, "el peso de una Linear"), dtype=_np.float64)
            b = None if m.bias is None else _np.asarray(_plain(m.bias, "el bias de una Linear"), dtype=_np.float64)
            out.append((w, b))
    return out


def linear_dims(model: torch.nn.Module) -> list[tuple[int, int]]:
    """``(in_features, out_features)`` of every ``nn.Linear`` of ``model``, read from its weights."""
    return [(int(w.shape[1]), int(w.shape[0])) for w, _ in linear_layers(model)]


def relu_stack(layers: list, X) -> _np.ndarray:
    """What a Linear–ReLU–…–Linear stack with these ``(weight, bias)`` layers computes on ``X`` (float64,
    no activation after the last layer): the reference for a network's forward pass."""
    h = _np.asarray(_plain(X, "X"), dtype=_np.float64)
    for i, (w, b) in enumerate(layers):
        h = h @ w.T + (0.0 if b is None else b)
        if i < len(layers) - 1:
            h = _np.maximum(h, 0.0)
    return h


def outputs(model: torch.nn.Module, X, *, train: bool = False, what: str = "la salida del modelo") -> _np.ndarray:
    """``model(X)`` as a plain array, computed by the test in eval mode (``train=False``) or train mode,
    without autograd. ``X`` may be a NumPy array (converted to float32)."""
    x = X if type(X) is _Tensor else torch.as_tensor(_np.asarray(X), dtype=torch.float32)
    _Module.train(model, train)
    with _no_grad():
        return _plain(model(x), what)


def accuracy(scores, y) -> float:
    """Share of rows of ``scores`` (N, K) whose argmax is the label in ``y`` (read as plain values)."""
    s = _np.asarray(_plain(scores, "las puntuaciones"), dtype=_np.float64)
    return float((s.argmax(axis=1) == _np.asarray(_plain(y, "las etiquetas"))).mean())


def state_arrays(model: torch.nn.Module) -> dict[str, _np.ndarray]:
    """The ``state_dict`` of ``model`` as ``{key: plain array}`` (parameters and buffers)."""
    return {str(k): _plain(v, k) for k, v in _Module.state_dict(model).items() if type(v) in (_Tensor, torch.nn.Parameter)}


def serialized_size(model: torch.nn.Module) -> int:
    """Bytes of ``model.state_dict()`` saved with ``torch.save`` (the course's measure of a model's size)."""
    buffer = _io.BytesIO()
    torch.save(_Module.state_dict(model), buffer)
    return len(buffer.getvalue())


def python_loops(fn) -> list[str]:
    """The kinds of Python loop (``For``, ``ListComp`` ...) in the source of ``fn``; empty if none."""
    import ast
    import inspect
    import textwrap

    loops = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    return sorted({type(n).__name__ for n in ast.walk(tree) if isinstance(n, loops)})


@_contextlib.contextmanager
def forbidden(owner, name: str, message: str):
    """Within the block, ``owner.name`` (e.g. ``torch.cdist``) raises ``AssertionError(message)``."""
    real = getattr(owner, name)

    def refuse(*args, **kwargs):
        raise AssertionError(message)

    setattr(owner, name, refuse)
    try:
        yield
    finally:
        setattr(owner, name, real)


def marked_square(grad: float = 42.0):
    """``f(x) = x²`` whose autograd backward says ``grad · upstream`` instead of ``2x``: a derivative
    that comes from autograd gives ``grad``, a finite difference gives ``2x``."""

    class _Marked(torch.autograd.Function):
        @staticmethod
        def forward(x):
            return x ** 2

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

        @staticmethod
        def backward(ctx, upstream):
            return upstream * grad

    return _Marked.apply


def mode_spy():
    """``(layer, seen)``: an identity ``nn.Module`` to put inside a model, and a function that returns
    one ``(training, grad_enabled)`` pair of bools per forward call through it."""
    records: list[tuple[bool, bool]] = []

    class ModeSpy(_Module):
        """Identity layer; records the mode it ran in (the record is not an attribute of the layer)."""

        def forward(self, x):
            records.append((self.training is True, _is_grad_enabled() is True))
            return x

    return ModeSpy(), lambda: list(records)


@_contextlib.contextmanager
def backward_counter(model: torch.nn.Module, limit: int):
    """Count backward passes through the first parameter of ``model`` within the block: one per
    training step. Yields a function that returns the count; past ``limit`` steps the hook raises
    ``RuntimeError`` (the block is then left early: cost is bound by work, never by the clock)."""
    count = [0]

    def hook(grad):
        count[0] += 1
        if count[0] > limit:
            raise RuntimeError("demasiados pasos de entrenamiento")

    handle = next(iter(_Module.parameters(model))).register_hook(hook)
    try:
        yield lambda: count[0]
    except RuntimeError:
        if count[0] <= limit:
            raise
    finally:
        handle.remove()


def reference_epoch(model: torch.nn.Module, loader, lr: float) -> float:
    """One epoch of plain SGD with cross-entropy over ``loader``, written the textbook way (zero_grad,
    forward, backward, step per batch); returns the loss averaged over examples."""
    optimizer = torch.optim.SGD(_Module.parameters(model), lr=lr)
    _Module.train(model)
    total, count = 0.0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        total, count = total + float(loss.item()) * len(xb), count + len(xb)
    return total / count


def call_recorder(fn):
    """``(recording, calls)``: ``recording(X)`` returns ``fn(X)`` and notes ``len(X)``; ``calls()``
    returns the noted lengths (a list of ints, kept out of the student's reach in a closure)."""
    lengths: list[int] = []

    def recording(X):
        lengths.append(int(_np.shape(X)[0]))
        return fn(X)

    return recording, lambda: list(lengths)


def _digits_mlp() -> torch.nn.Module:
    return torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Dropout(0.2),
                               torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))


def _trained_state_maker():
    saved: list[bytes] = []  # the trained weights, as immutable bytes in this closure

    def trained_digits_mlp() -> torch.nn.Module:
        """A fresh copy (eval mode) of part6's digits MLP (64→128→64→10, Dropout 0.2) trained for 60
        full-batch Adam steps on ``labkit.data.digits_split(seed=0)`` — the same as its notebook's
        ``fresh_torch_digits()``, built by the test itself so that no notebook code can change it."""
        if not saved:
            from labkit.data import digits_split

            X, _, y, _ = digits_split(seed=0)
            state = torch.random.get_rng_state()
            torch.manual_seed(0)
            model = _digits_mlp()
            opt = torch.optim.Adam(model.parameters(), lr=1e-2)
            X, y = torch.from_numpy(X), torch.from_numpy(y)
            for _ in range(60):
                opt.zero_grad()
                torch.nn.functional.cross_entropy(model(X), y).backward()
                opt.step()
            torch.random.set_rng_state(state)
            buffer = _io.BytesIO()
            torch.save(model.state_dict(), buffer)
            saved.append(buffer.getvalue())
        model = _digits_mlp()
        model.load_state_dict(torch.load(_io.BytesIO(saved[0]), weights_only=True))
        return model.eval()

    return trained_digits_mlp


trained_digits_mlp = _trained_state_maker()



def pickled_copy(model: torch.nn.Module) -> tuple[int, torch.nn.Module]:
    """``(bytes, copy)``: the size of the whole ``model`` saved with ``torch.save`` (everything it holds,
    also what its ``state_dict`` would leave out) and the model loaded back from those bytes. A size
    measured this way belongs to a model that predicts: tests measure accuracy on the copy."""
    buffer = _io.BytesIO()
    try:
        torch.save(model, buffer)
    except Exception as err:  # noqa: BLE001 - a model that cannot be saved cannot be deployed
        raise AssertionError(f"El modelo no se puede guardar con torch.save(model) ({type(err).__name__}: "
                             f"{str(err)[:120]}): un modelo para desplegar debe poder guardarse y cargarse.") from None
    data = buffer.getvalue()
    return len(data), torch.load(_io.BytesIO(data), weights_only=False)


def pruning_leftovers(model: torch.nn.Module) -> list[str]:
    """What a non-permanent pruning leaves in ``model`` (plain strings; empty when there is nothing):
    ``*_orig`` / ``*_mask`` entries of the state_dict, forward pre-hooks, Linear weights that are no
    longer an ``nn.Parameter``."""
    found = [f"la clave {k} del state_dict" for k in _Module.state_dict(model)
             if str(k).endswith(("_orig", "_mask"))]
    for name, m in _Module.named_modules(model):
        if len(m._forward_pre_hooks):
            found.append(f"un forward pre-hook en {name or 'el modelo'}")
        if isinstance(m, _Linear) and type(m._parameters.get("weight")) is not torch.nn.Parameter:
            found.append(f"{name}.weight no es un nn.Parameter")
    return [str(s) for s in found]


def onnx_run(path: str, X) -> _np.ndarray:
    """Run the ONNX model at ``path`` on ``X`` with the test's own ONNX Runtime session (first input,
    first output), as a plain float array."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = _np.asarray(_plain(X, "X"), dtype=_np.float32)
    return _plain(session.run(None, {session.get_inputs()[0].name: x})[0], "la salida de ONNX Runtime")


@_contextlib.contextmanager
def simulated_clock(durations, namespace: dict | None = None):
    """A simulated ``time.perf_counter`` (also ``timeit``'s default timer and clock defaults, and any
    name of ``namespace`` bound to the real clock) for the block; yields ``work()``, which advances
    the clock by the next of ``durations`` (seconds). Latency code is then graded without real time."""
    import time
    import timeit

    from labkit.devices import FakeTimer

    timer = FakeTimer(durations)
    real = time.perf_counter
    defaults = [(f, f.__defaults__) for f in (timeit.Timer.__init__, timeit.timeit, timeit.repeat)]
    try:
        for f, d in defaults:  # timeit keeps its clock as a default argument: make it read the simulated one
            f.__defaults__ = tuple(timer.clock if v is real else v for v in d)
        with timer.patch(namespace):
            yield timer.fn
    finally:
        for f, d in defaults:
            f.__defaults__ = d


_SPANISH_WORDS = None


def looks_spanish(text: str) -> bool:
    """Whether a (short) message reads as Spanish: an accented letter or ñ/¿/¡, or a common Spanish word."""
    import re

    global _SPANISH_WORDS
    if _SPANISH_WORDS is None:
        _SPANISH_WORDS = re.compile(
            r"[áéíóúñ¿¡]|\b(el|la|los|las|un|una|de|del|al|se|es|son|debe|deben|en|con|para|por|que|y|o|falta|"
            r"faltan|esperaba|esperaban|entrada|petici[oó]n|lista|n[uú]meros?|valor(es)?|instancias?|clave|"
            r"vac[ií]a|vac[ií]o|formato|error)\b", re.I)
    return type(text) is str and bool(_SPANISH_WORDS.search(text))


def bad_requests(n_features: int = 64) -> list[tuple[str, object, str | None]]:
    """``(label, request, must_contain)`` for requests a TF-Serving-style handler must answer with
    ``{"error": ...}``: invalid JSON, a missing key, empty or malformed instances, wrong widths ..."""
    import json

    row = [0.5] * n_features
    width = str(n_features)
    return [
        ("un texto que no es JSON", "esto no es JSON", None),
        ("JSON cortado", '{"instances": [[0.5, 0.5]', None),
        ("una cadena vacía", "", None),
        ("None", None, None),
        ('JSON "null"', "null", None),
        ("sin la clave instances", json.dumps({"inputs": [row]}), None),
        ("una lista en lugar de un objeto", json.dumps([row]), None),
        ("instances vacía", json.dumps({"instances": []}), None),
        ("instances null", json.dumps({"instances": None}), None),
        ("instances es un texto", json.dumps({"instances": "hola"}), None),
        ("instances es un número", json.dumps({"instances": 5}), None),
        (f"una fila de {n_features - 1} valores", json.dumps({"instances": [[0.5] * (n_features - 1)]}), width),
        (f"una fila de {n_features} y otra de {n_features + 1}",
         json.dumps({"instances": [row, [0.5] * (n_features + 1)]}), width),
        (f"una lista plana de {n_features} números (sin filas)", json.dumps({"instances": row}), None),
        ("texto en lugar de números", json.dumps({"instances": [["a"] * n_features]}), None),
        ("un null entre los números", json.dumps({"instances": [[0.5] * (n_features - 1) + [None]]}), None),
        ("una instancia anidada", json.dumps({"instances": [[row]]}), None),
        ("una instancia que es un objeto", json.dumps({"instances": [{"x": 1}]}), None),
    ]


def reply(handler, request) -> tuple[str, object]:
    """Call ``handler(request)`` and say what came back, as plain values: ``("raised", "Type: msg")``,
    ``("not-str", type name)``, ``("not-json", text)`` or ``("json", the decoded value)``."""
    import json

    try:
        out = handler(request)
    except Exception as err:  # noqa: BLE001 - the point is to see any exception
        return "raised", f"{type(err).__name__}: {str(err)[:150]}"
    if type(out) is not str:
        return "not-str", type(out).__name__
    try:
        return "json", _plain(json.loads(out), "la respuesta")
    except (ValueError, AssertionError):
        return "not-json", out[:200]


# --- part4 / part5 ---
# Spies, fakes and checks of the hidden tests of part4_advanced (checkpoints, schedulers) and
# part5_performance (devices, benchmarks, profiler, autocast). Records live in closures of the helper that
# made them; verdicts read them as plain values.

import os as _os
import pathlib as _pathlib
import tempfile as _tempfile
from typing import Callable

_type = type


def _relied_on_classes() -> list[type]:
    import torch.autograd.profiler as profiler
    import torch.utils.data as data
    from torch.nn.modules import batchnorm

    nn, optim = torch.nn, torch.optim
    return [optim.Optimizer, optim.Adam, optim.SGD, optim.lr_scheduler.LRScheduler, optim.lr_scheduler.StepLR,
            optim.lr_scheduler.CosineAnnealingLR, batchnorm._BatchNorm, nn.BatchNorm1d, nn.BatchNorm2d,
            nn.Dropout, nn.Linear, nn.Conv2d, nn.ReLU, nn.Sequential, nn.CrossEntropyLoss, data.DataLoader,
            data.TensorDataset, profiler.profile]


def _torch_class_table() -> dict:
    table = {}
    for cls in _relied_on_classes():
        for klass in cls.__mro__:
            if klass is not object and klass not in table:
                table[klass] = dict(vars(klass))
    return table


_TORCH_PRISTINE = _torch_class_table()  # taken when the notebook's setup cell imports this module


from labkit.testing import notebook_code as _notebook_code  # noqa: E402


def torch_patches() -> list[str]:
    """``Class.attribute`` for every method or property of the PyTorch classes the tests rely on (optimizers,
    schedulers, BatchNorm, Dropout, Linear, DataLoader, the profiler ...) that notebook code replaced or
    removed since this module was imported."""
    changed = []
    for klass, before in _TORCH_PRISTINE.items():
        now = vars(klass)
        names = {k for k in set(before) | set(now) if now.get(k, None) is not before.get(k, None)}
        changed += [f"{klass.__name__}.{k}" for k in sorted(names)
                    if (k in now and _notebook_code(now[k])) or (k not in now and callable(before[k]))]
    return changed


def check_torch_untouched() -> None:
    """Fail if notebook code patched a PyTorch class the tests' own models, optimizers or references use
    (e.g. ``torch.optim.Adam.__init__`` forcing a learning rate, ``BatchNorm.forward`` ignoring train
    mode): such a patch changes the test's reference as well as the student's result."""
    changed = torch_patches()
    if changed:
        raise AssertionError("El código del cuaderno ha modificado clases de PyTorch de las que dependen las pruebas "
                             f"({', '.join(changed[:4])}): no modifiques clases de la biblioteca.")


class _PickleTrap:
    """Unpickling it creates the file ``path``: proof that loading ran code stored in the file."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (_pathlib.Path.touch, (_pathlib.Path(self.path),))


def planted_checkpoint(path, source) -> callable:
    """Write to ``path`` the checkpoint read from ``source`` (with ``torch.load(weights_only=True)``) plus an
    object whose unpickling runs code. Returns ``ran()``: whether that code has run since. The evidence is a
    file in a fresh folder, not a printout or a variable the loading code could hide."""
    data = torch.load(source, weights_only=True)
    hit = _os.path.join(_tempfile.mkdtemp(), "ejecutado")
    trap = _PickleTrap(hit)
    if _type(data) is dict:
        data = {**data, "_trap": trap}
    elif _type(data) in (list, tuple):
        data = _type(data)(list(data) + [trap])
    else:
        data = [data, trap]
    torch.save(data, path)
    return lambda: _os.path.exists(hit)


@_contextlib.contextmanager
def unsafe_default_load():
    """Within the block ``torch.load`` without ``weights_only`` loads anything, as before PyTorch 2.6."""
    old = _os.environ.get("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD")
    _os.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = "1"
    try:
        yield
    finally:
        if old is None:
            del _os.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"]
        else:
            _os.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = old


def optimizer_state(optimizer) -> dict:
    """The per-parameter state of ``optimizer`` (Adam's ``step``, ``exp_avg`` ...) as plain values."""
    return _plain({int(k): {str(n): v for n, v in s.items()}
                   for k, s in torch.optim.Optimizer.state_dict(optimizer)["state"].items()}, "el estado del optimizador")


@_contextlib.contextmanager
def scheduler_recorder():
    """Record the ``torch.optim.lr_scheduler`` objects created within the block. Yields ``created()``:
    ``[(class name, settings)]`` with the plain ``step_size``/``gamma``/``T_max`` of the exact StepLR and
    CosineAnnealingLR classes (a subclass is listed under its own name, without settings)."""
    base = torch.optim.lr_scheduler.LRScheduler
    real_init = base.__init__
    made: list = []

    def recording_init(self, *args, **kwargs):
        made.append(self)
        return real_init(self, *args, **kwargs)

    def created():
        out = []
        for s in made:
            t = _type(s)
            if t is torch.optim.lr_scheduler.StepLR:
                out.append(("StepLR", _plain({"step_size": s.step_size, "gamma": s.gamma}, "StepLR")))
            elif t is torch.optim.lr_scheduler.CosineAnnealingLR:
                out.append(("CosineAnnealingLR", _plain({"T_max": s.T_max}, "CosineAnnealingLR")))
            else:
                out.append((t.__name__, {}))
        return out

    base.__init__ = recording_init
    try:
        yield created
    finally:
        base.__init__ = real_init


def move_spy(in_features: int = 6, classes: int = 3):
    """``(mark, model, report)`` to check that a training loop moves the model and every batch to a device.

    ``mark(t)`` returns ``t`` as a tensor that stops being marked once it goes through ``.to(...)`` /
    ``.cuda()``; ``model`` is a small classifier that notes its ``.to`` calls and the marked inputs it gets;
    ``report()`` returns plain counts: ``moves`` (device types passed to ``model.to``), ``forwards_before_move``,
    ``unmoved_inputs`` and ``unmoved_backward`` (a loss computed from a marked label)."""
    counts = {"forwards_before_move": 0, "unmoved_inputs": 0, "unmoved_backward": 0}
    moves: list[str] = []

    class NotMoved(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            name = getattr(func, "__name__", "")
            with torch._C.DisableTorchFunctionSubclass():
                out = func(*args, **kwargs)
            if name in ("to", "cuda"):
                return out.as_subclass(torch.Tensor) if isinstance(out, torch.Tensor) else out
            if name == "backward":
                counts["unmoved_backward"] += 1
            if isinstance(out, torch.Tensor) and not isinstance(out, NotMoved):
                out = out.as_subclass(NotMoved)
            return out

    class Recorder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Sequential(torch.nn.Linear(in_features, 8), torch.nn.ReLU(),
                                           torch.nn.Linear(8, classes))

        def to(self, *args, **kwargs):
            device = torch._C._nn._parse_to(*args, **kwargs)[0]
            moves.append("" if device is None else str(torch.device(device).type))
            return super().to(*args, **kwargs)

        def forward(self, x):
            counts["unmoved_inputs"] += isinstance(x, NotMoved)
            counts["forwards_before_move"] += not moves
            return self.net(x)

    def report():
        return {**{k: int(v) for k, v in counts.items()}, "moves": [m for m in moves if m]}

    return (lambda t: t.as_subclass(NotMoved)), Recorder(), report


def autocast_probe(in_features: int = 8, out_features: int = 3):
    """``(model, seen)``: a one-Linear model and ``seen()``, the ``(autocast enabled, autocast dtype name)``
    pairs in force during each of its forward passes."""
    records: list[tuple[bool, str]] = []

    class AutocastProbe(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(in_features, out_features)

        def forward(self, x):
            kind = x.device.type
            records.append((bool(torch.is_autocast_enabled(kind)), str(torch.get_autocast_dtype(kind))))
            return self.fc(x)

    return AutocastProbe(), lambda: list(records)


@_contextlib.contextmanager
def replaced(namespace: dict, name: str, fake):
    """Within the block the notebook global ``name`` is ``fake`` (e.g. a fake ``benchmark`` that a
    student's function calls); the original comes back afterwards."""
    real = namespace[name]
    namespace[name] = fake
    try:
        yield
    finally:
        namespace[name] = real


def fake_benchmark(stats: dict | Callable, *, run: bool = True):
    """``(fake, calls)``: a stand-in for a student's ``benchmark(fn, *, warmup, repeats, synchronize)`` that
    calls ``fn`` once (``run=True``) and answers ``stats`` (or ``stats(fn)``, a dict computed after calling
    ``fn``). ``calls()`` returns one record per call: ``fn``, ``synchronize`` and ``fn``'s output."""
    records: list[dict] = []

    def fake(fn, *args, synchronize=None, **kwargs):
        out = fn() if run else None
        records.append({"fn": fn, "synchronize": synchronize, "output": out})
        return dict(stats(fn) if callable(stats) else stats)

    return fake, lambda: list(records)



def logged_timer(durations, *, asynchronous: bool = False):
    """``(timer, measured)``: a :class:`labkit.devices.FakeTimer` that logs, in a closure, every clock read
    and every call of ``timer.fn``, and ``measured(warmup)``: for each call after the first ``warmup``, the
    time between the last clock read before it and the first read after it (-1.0 when another call of ``fn``
    falls between those reads or no read follows). A benchmark's times must be exactly these: values read
    from the workload's own state instead of the clock do not match them."""
    from labkit.devices import FakeTimer

    timer = FakeTimer(durations, asynchronous=asynchronous)
    log: list[tuple[str, float]] = []
    real_clock, real_fn = timer.clock, timer.fn

    def clock():
        value = real_clock()
        log.append(("read", float(value)))
        return value

    def fn():
        log.append(("call", 0.0))
        real_fn()

    timer.clock, timer.fn = clock, fn

    def measured(warmup: int) -> list[float]:
        calls = [i for i, (kind, _) in enumerate(log) if kind == "call"]
        out = []
        for j in calls[warmup:]:
            before = [i for i in range(j) if log[i][0] == "read"]
            after = [i for i in range(j + 1, len(log)) if log[i][0] == "read"]
            if not before or not after or any(log[i][0] == "call" for i in range(before[-1] + 1, after[0]) if i != j):
                out.append(-1.0)
            else:
                out.append(log[after[0]][1] - log[before[-1]][1])
        return out

    return timer, measured


@_contextlib.contextmanager
def profiler_costs(on_gpu: bool):
    """Within the block ``prof.key_averages()`` of ``torch.profiler`` reports made-up costs: each operator's
    CPU time (device time on a GPU) is a fixed function of its name, the other time is reversed. Yields
    ``ranking()``: the operator names of the last ``key_averages()`` call, most expensive first."""
    import zlib

    real = torch.autograd.profiler.profile.key_averages
    lists: list[list[str]] = []

    def cost(key):
        return zlib.crc32(key.encode()) % 99991 + 1

    def fake(self, *args, **kwargs):
        events = real(self, *args, **kwargs)
        for e in events:
            c = cost(e.key)
            if on_gpu:
                e.device_time_total = e.self_device_time_total = c
                e.cpu_time_total = e.self_cpu_time_total = 100000 - c
            else:
                e.cpu_time_total = e.self_cpu_time_total = c
                e.device_time_total = e.self_device_time_total = 0
        lists.append([str(e.key) for e in events])
        return events

    torch.autograd.profiler.profile.key_averages = fake
    try:
        yield lambda: sorted(lists[-1], key=cost, reverse=True) if lists else []
    finally:
        torch.autograd.profiler.profile.key_averages = real


# --- part3 / part7 ---
# Helpers of the hidden tests of part3_comparison and part7_project (issue 14). Everything they compute
# stays in their own frames; what they hand back to a verdict is plain values (labkit.testing.plain).

import contextlib as _p37_contextlib

import numpy as _p37_np

from labkit.testing import check as _p37_check
from labkit.testing import plain as _p37_plain


def param_values(model, what: str = "los parámetros") -> list:
    """The parameters of a PyTorch ``model`` as plain NumPy arrays, in ``model.parameters()`` order."""
    return [_p37_plain(p, what) for p in list(model.parameters())]


def set_params_by_shape(model, values: dict, what: str = "el modelo de PyTorch") -> None:
    """Copy ``values`` (``{shape: array}``, one array per parameter shape) into the parameters of ``model``.

    Fails with a Spanish message unless the parameters have exactly those shapes (one of each)."""
    params = list(model.parameters())
    found = sorted(tuple(_p37_plain(p, f"un parámetro de {what}").shape) for p in params)
    wanted = sorted(tuple(int(d) for d in s) for s in values)
    _p37_check(found == wanted, f"Los parámetros de {what} deben tener las formas {wanted} y tienen {found}.")
    with torch.no_grad():
        for p in params:
            shape = tuple(_p37_plain(p).shape)
            p.copy_(torch.from_numpy(_p37_np.ascontiguousarray(values[shape], dtype=_p37_np.float32)))


def predict_eval(model, x, what: str = "el modelo de PyTorch"):
    """``model(x)`` in eval mode without gradients, as plain values (an array, or a tuple of arrays)."""
    model.eval()
    with torch.no_grad():
        return _p37_plain(model(torch.as_tensor(_p37_np.asarray(x, dtype=_p37_np.float32))), what)


def epoch_ids(batches, n: int, batch_size: int, what: str = "la tubería") -> tuple:
    """Iterate one epoch of ``(x, y)`` batches (a ``DataLoader`` or a ``tf.data.Dataset``) whose first feature
    identifies each example; return ``(ids, labels)`` as NumPy arrays.

    Checks that every ``x`` is float32 with at most ``batch_size`` rows, and stops (failing) after ``2 n``
    batches, so an endless pipeline (``repeat()``) cannot hang the test."""
    ids, labels = [], []
    for i, (xb, yb) in enumerate(batches):
        _p37_check(i < 2 * n, f"Una época de {n} ejemplos en lotes de {batch_size} dio más de {2 * n} lotes y no "
                   "terminaba: ¿un repeat()?")
        xb, yb = _p37_plain(xb, f"un lote x de {what}"), _p37_plain(yb, f"un lote y de {what}")
        _p37_check(xb.dtype == _p37_np.float32, f"Los lotes x de {what} deben ser float32 y son {xb.dtype}.")
        _p37_check(xb.ndim == 2 and len(xb) <= batch_size, f"Con batch_size={batch_size}, {what} dio un lote de "
                   f"forma {xb.shape}.")
        ids += xb[:, 0].astype(_p37_np.int64).tolist()
        labels += _p37_np.asarray(yb).reshape(-1).tolist()
    return _p37_np.array(ids, dtype=_p37_np.int64), _p37_np.array(labels)


def check_one_pass(ids, n: int, what: str) -> None:
    """Check that ``ids`` visits each of ``0..n-1`` exactly once."""
    ids = _p37_np.asarray(ids)
    seen = set(ids.tolist())
    _p37_check(len(ids) == n and seen == set(range(n)),
               f"Una época de {what} debe recorrer los {n} ejemplos una vez cada uno: hubo {len(ids)} ejemplos, "
               f"faltaron {n - len(seen & set(range(n)))} y se repitieron {len(ids) - len(seen)}.")


class TrainingRun:
    """What the hidden test saw of one model built through :func:`spy_torch_builds`.

    ``passes``: ``(training, grad_enabled, batch_size)`` for every forward call; ``start``: the parameters as
    built; ``first_step``: the parameters at the first training pass after they first changed (the result
    of the first optimizer step), or None."""

    __slots__ = ("model", "passes", "start", "first_step")

    def __init__(self, model):
        self.model, self.passes, self.first_step = model, [], None
        self.start = param_values(model, "un parámetro del modelo")

    def trained(self) -> bool:
        """Whether any parameter differs from the one built."""
        now = param_values(self.model, "un parámetro del modelo")
        return len(now) != len(self.start) or any(bool((a != b).any()) for a, b in zip(self.start, now))

    def training_batches(self) -> list:
        """Sizes of the batches seen in training mode with gradients enabled."""
        return [b for training, grad, b in self.passes if training and grad]


def _p37_watch(model) -> TrainingRun:
    run = TrainingRun(model)

    def hook(module, args):
        training, grad = module.training is True, torch.is_grad_enabled()
        batch = int(_p37_plain(args[0], "la entrada del modelo").shape[0]) if args else 0
        run.passes.append((training, grad, batch))
        if training and grad and run.first_step is None:
            now = param_values(module, "un parámetro del modelo")
            if any(bool((a != b).any()) for a, b in zip(run.start, now)):
                run.first_step = now

    model.register_forward_pre_hook(hook)
    return run


@_p37_contextlib.contextmanager
def spy_torch_builds(namespace: dict, name: str):
    """While the ``with`` block runs, ``namespace[name]`` (a model builder such as ``build_torch_twin``) is
    replaced by one that records every model it builds; yields the list of :class:`TrainingRun`.

    The records live in this generator's frame and the spy's closure, never in a notebook global, and the
    builder is put back when the block ends (also on an error)."""
    build = namespace[name]
    runs: list = []

    def spied(*args, **kwargs):
        model = build(*args, **kwargs)
        runs.append(_p37_watch(model))
        return model

    namespace[name] = spied
    try:
        yield runs
    finally:
        namespace[name] = build


def adam_like_fraction(before: list, after: list, lr: float) -> tuple:
    """For the parameters before and after one optimizer step: the fraction of the weights that moved by
    ``lr`` (±10 %), as Adam's first step moves every weight with a gradient, and the median movement."""
    delta = _p37_np.concatenate([_p37_np.abs(_p37_np.asarray(b, float) - _p37_np.asarray(a, float)).reshape(-1)
                                 for a, b in zip(before, after)]) if before else _p37_np.zeros(0)
    moved = delta[delta > 0]
    if not moved.size:
        return 0.0, 0.0
    return float(_p37_np.mean(_p37_np.abs(moved - lr) <= 0.1 * lr)), float(_p37_np.median(moved))


def mlp_forward(x, layers: list, output: str = "sigmoid"):
    """NumPy reference of a dense network: ``layers`` is ``[(kernel (in, out), bias), ...]``; ReLU after every
    hidden layer, then ``output`` (``"sigmoid"`` or ``"linear"``). Computed in float64."""
    h = _p37_np.asarray(x, _p37_np.float64)
    for i, (kernel, bias) in enumerate(layers):
        h = h @ _p37_np.asarray(kernel, _p37_np.float64) + _p37_np.asarray(bias, _p37_np.float64)
        if i < len(layers) - 1:
            h = _p37_np.maximum(h, 0.0)
    return 1.0 / (1.0 + _p37_np.exp(-h)) if output == "sigmoid" else h


def conv_relu_pool(x, weight, bias):
    """NumPy reference: flattened 8×8 digits ``x`` (N, 64) → one-channel image → 3×3 convolution with
    zero padding 1 (``weight`` in PyTorch's (out, in=1, 3, 3) layout) → ReLU → 2×2 max-pooling.
    Returns the feature maps (N, out, 4, 4) in float64."""
    weight = _p37_np.asarray(weight, _p37_np.float64)
    img = _p37_np.pad(_p37_np.asarray(x, _p37_np.float64).reshape(-1, 8, 8), ((0, 0), (1, 1), (1, 1)))
    conv = sum(weight[None, :, 0, a, b, None, None] * img[:, None, a:a + 8, b:b + 8] for a in range(3) for b in range(3))
    act = _p37_np.maximum(conv + _p37_np.asarray(bias, _p37_np.float64)[None, :, None, None], 0.0)
    return act.reshape(len(act), -1, 4, 2, 4, 2).max(axis=(3, 5))


def figure_bars_and_errorbars(fig) -> tuple:
    """The bars and error bars of a Matplotlib figure, read from the artists' own data (no method of theirs
    runs): ``(bars, errors)``, ``bars`` a list of ``(height, width)`` of every exact ``Rectangle`` patch and
    ``errors`` a list of ``(centre, half_length)`` of every straight segment of every exact ``LineCollection``
    (what ``ax.bar(..., yerr=...)`` and ``ax.errorbar`` draw). Subclasses are ignored."""
    from matplotlib.axes import Axes
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    _p37_check(isinstance(fig, Figure), f"Se esperaba una figura de Matplotlib y es {type(fig).__name__}.")
    bars, errors = [], []
    for ax in list(vars(fig).get("_localaxes", []) or []):
        if not isinstance(ax, Axes):
            continue
        for child in list(vars(ax).get("_children", [])):
            state = vars(child)
            if type(child) is Rectangle:
                bars.append((_p37_plain(float(state["_height"]), "la altura de una barra"),
                             _p37_plain(float(state["_width"]), "el ancho de una barra")))
            elif type(child) is LineCollection:
                for path in list(state.get("_paths") or []):
                    v = _p37_plain(_p37_np.array(vars(path)["_vertices"], dtype=float), "un segmento")
                    if v.ndim != 2 or len(v) < 2:
                        continue
                    (x0, y0), (x1, y1) = v[0], v[-1]
                    if abs(x0 - x1) < 1e-9:
                        errors.append((float((y0 + y1) / 2), float(abs(y1 - y0) / 2)))
                    elif abs(y0 - y1) < 1e-9:
                        errors.append((float((x0 + x1) / 2), float(abs(x1 - x0) / 2)))
    return bars, errors


def multitask_scores(net, X, y, what: str = "MultiTaskNet") -> tuple:
    """``(digit accuracy, parity accuracy)`` of a PyTorch two-head network on digits ``X`` with labels ``y``
    (parity ``y % 2``), in eval mode."""
    out = predict_eval(net, X, f"la salida de {what}")
    _p37_check(type(out) in (tuple, list) and len(out) == 2, f"{what} debe devolver (digit_logits, parity_logits) "
               "(una tupla o una lista de dos tensores).")
    y = _p37_np.asarray(y)
    return float((out[0].argmax(axis=1) == y).mean()), float((out[1].argmax(axis=1) == y % 2).mean())


def test_split(config: dict) -> tuple:
    """``(X_test, y_test)``: the digits' test split that ``config["data"]`` describes (labkit.data.split)."""
    from labkit.data import load_digits, split

    X, y = load_digits()
    _, X_test, _, y_test = split(X, y, test_size=config["data"]["test_size"], seed=config["data"]["seed"])
    return X_test, y_test


def train_multitask(net, loss_fn, seed: int = 3, epochs: int = 20, slow_from: int = 15) -> tuple:
    """Train ``net`` with ``loss_fn(outputs, (digits, parities))`` in a plain loop (Adam, lr 1e-3 and 1e-4 from
    epoch ``slow_from``, batches of 64) on 75 % of the digits split with ``seed``; return ``multitask_scores``
    on the other 25 %. Everything stays in this function's frame."""
    from labkit.data import load_digits, split

    torch.manual_seed(seed)
    X, y = load_digits()
    X_tr, X_te, y_tr, y_te = split(X, y, test_size=0.25, seed=seed)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    data = torch.utils.data.TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr), torch.from_numpy(y_tr % 2))
    loader = torch.utils.data.DataLoader(data, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(seed))
    for epoch in range(epochs):
        if epoch == slow_from:
            for group in optimizer.param_groups:
                group["lr"] = 1e-4
        net.train()
        for xb, yb, pb in loader:
            optimizer.zero_grad()
            loss_fn(net(xb), (yb, pb)).backward()
            optimizer.step()
    return multitask_scores(net, X_te, y_te)
