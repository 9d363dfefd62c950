"""TensorFlow/Keras-specific test helpers (imports TensorFlow lazily, never PyTorch).

Hidden tests of the Keras notebooks use these helpers instead of defining spies, recorders and
fakes inside the test cells (issue 14). Every helper is captured by the test cell before any
student code runs, and every value a helper hands back to a verdict is a plain value (see
:func:`labkit.testing.plain`).

Sections appended by other assignments are headed ``# --- partN ---``.
"""
from __future__ import annotations

from typing import Any, Callable

import keras
import numpy as np
import tensorflow as tf

from labkit.testing import check, check_shape, plain

# --- framework classes, captured when the notebook's setup cell imports this module ---------------
# (before any student code runs: a later ``keras.optimizers.Adam = keras.optimizers.SGD`` in an answer
# cell does not change what these names are)
_inp = keras.Input(shape=(1,))
FUNCTIONAL = type(keras.Model(_inp, keras.layers.Dense(1)(_inp)))  # what keras.Model(inputs, outputs) returns
SEQUENTIAL = keras.Sequential
ADAM = keras.optimizers.Adam
ADD = keras.layers.Add
HISTORY = keras.callbacks.History
del _inp
_type, _isfinite, _abs = type, np.isfinite, np.abs

# classes whose behaviour the tests rely on (the test models are made of them); the grader's probe
# watches keras.Model / keras.Layer, these are the layers, optimizers, losses and metrics below them
_RELIED_ON = [keras.layers.Dense, keras.layers.Dropout, keras.layers.BatchNormalization, keras.layers.Add,
              keras.layers.Concatenate, keras.layers.Activation, keras.optimizers.Adam, keras.optimizers.SGD,
              keras.losses.SparseCategoricalCrossentropy, keras.losses.BinaryCrossentropy,
              keras.metrics.Mean, keras.metrics.SparseCategoricalAccuracy, keras.callbacks.History]


def _class_table() -> dict:
    table = {}
    for cls in _RELIED_ON:
        for klass in cls.__mro__:
            if klass is not object and klass not in table:
                table[klass] = dict(vars(klass))
    return table


_PRISTINE = _class_table()


from labkit.testing import notebook_code as _from_notebook  # noqa: E402


def check_keras_untouched() -> None:
    """Fail if notebook code replaced a method or property of a Keras layer, optimizer, loss, metric or
    ``History`` class that the tests' own models rely on (e.g. ``BatchNormalization.call`` patched to ignore
    ``training``): such a patch changes the test models as well as the student's, so no comparison holds."""
    changed = []
    for klass, before in _PRISTINE.items():
        now = vars(klass)
        names = {k for k in set(before) | set(now) if now.get(k, None) is not before.get(k, None)}
        changed += [f"{klass.__name__}.{k}" for k in sorted(names)
                    if (k in now and _from_notebook(now[k])) or (k not in now and callable(before[k]))]
    check(not changed, "El código del cuaderno ha modificado clases de Keras de las que dependen las pruebas "
          f"({', '.join(changed[:4])}): no modifiques clases de la biblioteca.")


def check_model_class(model: Any, what: str) -> None:
    """``model`` must be a ``keras.Sequential`` or a functional ``keras.Model(inputs, outputs)`` (the
    APIs these exercises ask for; a class of the student's built with the functional constructor is one),
    read from its real class (``type``), which no attribute of the model can change."""
    found = _type(model)
    check(issubclass(found, (SEQUENTIAL, FUNCTIONAL)), f"{what} debe ser un keras.Sequential o un modelo de la "
          f"API funcional, keras.Model(inputs, outputs), y es {found.__name__}.")


def check_functional(model: Any, what: str) -> None:
    """``model`` must be built with ``keras.Model(inputs, outputs)`` (its real class is Keras's functional
    model or a subclass of it)."""
    found = _type(model)
    check(issubclass(found, FUNCTIONAL), f"{what} debe ser un modelo de la API funcional, "
          f"keras.Model(inputs, outputs), y es {found.__name__}.")


def check_adam(model: Any, what: str) -> None:
    """The optimizer ``model`` trains with is exactly ``keras.optimizers.Adam`` (any learning rate)."""
    found = _type(getattr(model, "optimizer", None))
    check(found is ADAM, f"El optimizador de {what} debe ser keras.optimizers.Adam y es {found.__name__}.")


_LAYER_CLASSES = {"Add": keras.layers.Add, "Dense": keras.layers.Dense, "Dropout": keras.layers.Dropout}


def model_layers(model: Any) -> list:
    """The layers of a ``keras.Sequential`` or functional ``model``, read by Keras's own ``layers``
    property (a subclass's ``layers`` cannot add or hide any)."""
    check_model_class(model, "el modelo")
    getter = (FUNCTIONAL if issubclass(_type(model), FUNCTIONAL) else SEQUENTIAL).layers.fget
    return list(getter(model))


def count_layers(model: Any, name: str) -> int:
    """How many layers of ``model`` (see :func:`model_layers`) are a ``keras.layers.<name>`` (or a
    subclass), read from the real class of each layer (``type``)."""
    cls = _LAYER_CLASSES[name]
    return int(sum(1 for layer in model_layers(model) if issubclass(_type(layer), cls)))


def zero_inner_weights(model: Any) -> int:
    """Set to zero every weight of the layers between the first and the last layer that have weights
    (in a residual model: the blocks F, between the projection and the output). Returns how many layers."""
    weighted = [layer for layer in model_layers(model) if plain(len(layer.weights), "el número de pesos") > 0]
    check(len(weighted) >= 2, "El modelo debe tener al menos la Dense de proyección y la Dense de salida.")
    for layer in weighted[1:-1]:
        for w in layer.weights:
            w.assign(np.zeros(tuple(int(d) for d in w.shape), "float32"))
    return len(weighted) - 2


def weight_shapes(obj: Any, what: str = "los pesos", trainable: bool = False) -> list:
    """The shapes of the weights of a layer or model, as plain tuples of ints (creation order)."""
    weights = obj.trainable_weights if trainable else obj.weights
    return plain([tuple(int(d) for d in w.shape) for w in weights], what)


def set_weights_by_shape(model: Any, values: dict) -> None:
    """Give each weight of ``model`` the array of ``values`` with its shape (all shapes distinct); fail
    with a Spanish message if the model's weights do not have exactly those shapes."""
    found = sorted(weight_shapes(model, "las formas de los pesos"))
    check(found == sorted(values), f"Se esperaban pesos de formas {sorted(values)} y el modelo tiene {found}.")
    for w in model.weights:
        w.assign(values[tuple(int(d) for d in w.shape)])


# --- the course guide's 64-32-1 binary classifier (build_sequential, CustomModel) ---------------------

def guide_mlp_weights(input_dim: int = 20, seed: int = 0) -> dict:
    """Random float32 weights for Dense(64)-Dense(32)-Dense(1), keyed by shape."""
    rng = np.random.default_rng(seed)
    W = {(input_dim, 64): rng.normal(size=(input_dim, 64)) * 0.3, (64,): rng.normal(size=64) * 0.1,
         (64, 32): rng.normal(size=(64, 32)) * 0.2, (32,): rng.normal(size=32) * 0.1,
         (32, 1): rng.normal(size=(32, 1)) * 0.3, (1,): np.array([0.1])}
    return {k: v.astype(np.float32) for k, v in W.items()}


def guide_mlp_forward(W: dict, x: np.ndarray) -> np.ndarray:
    """Dense-relu → Dense-relu → Dense-sigmoid in NumPy (inference: no dropout)."""
    input_dim = x.shape[1]
    h = np.maximum(x @ W[(input_dim, 64)] + W[(64,)], 0)
    h = np.maximum(h @ W[(64, 32)] + W[(32,)], 0)
    return 1 / (1 + np.exp(-(h @ W[(32, 1)] + W[(1,)])))


def check_guide_dropout(model: Any, input_dim: int = 20, rate: float = 0.3, n: int = 4000) -> None:
    """Dropout(rate) after each hidden Dense of a 64-32-1 model, active with ``training=True``.

    With W1 = 0 and a single hidden bias at 1, the output is sigmoid(z) with z = 0 (dropped) or
    z = 1/(1-p) (kept and rescaled): the first set of weights measures the second Dropout alone, the
    second set both in a row. Checks the kept fraction and the rescaling."""
    keep = 1.0 - rate
    zero = {k: np.zeros(k, np.float32) for k in guide_mlp_weights(input_dim)}
    only2 = {**zero, (32,): np.eye(32, dtype=np.float32)[0], (32, 1): np.eye(32, 1, dtype=np.float32)}
    both = {**zero, (64,): np.eye(64, dtype=np.float32)[0], (64, 32): np.eye(64, 32, dtype=np.float32),
            (32, 1): np.eye(32, 1, dtype=np.float32)}
    for values, kept_frac, name in [(only2, keep, "el segundo Dropout"), (both, keep * keep, "los dos Dropout seguidos")]:
        set_weights_by_shape(model, values)
        p = np.asarray(plain(model(np.zeros((n, input_dim), np.float32), training=True), "model(x, training=True)"),
                       dtype=np.float64)
        check_shape(p, (n, 1), "model(x, training=True)")
        p = np.clip(p, 1e-12, 1 - 1e-12)
        z = np.log(p / (1 - p)).ravel()
        kept = z[z > 0.5]
        frac = kept.size / z.size
        check(abs(frac - kept_frac) < 0.05, f"Con training=True, {name} debería conservar ≈{kept_frac:.0%} de las "
              f"activaciones (Dropout({rate})) y conserva {frac:.0%}.")
        worst = float(_abs(kept - 1 / kept_frac).max()) if kept.size else 0.0
        check(worst <= 1e-3, f"Con training=True, las activaciones que {name} conserva deben reescalarse por "
              f"1/(1-p) = {1 / kept_frac:.4f} y se apartan hasta {worst:.2e} de ese valor.")


# --- train_step: a model whose loss differs between training and inference ------------------------

def bn_model(seed: int = 1) -> Any:
    """Dense(3) + BatchNormalization on 4 inputs: in training BatchNormalization normalizes with the batch,
    in inference with its moving averages, so the loss tells which mode the model was called in."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3), keras.layers.BatchNormalization()])


def sgd_step_reference(model: Any, x: np.ndarray, y: np.ndarray, lr: float) -> tuple[float, list]:
    """One GradientTape step of SGD(lr) on ``model`` (called with ``training=True``) with sparse categorical
    cross-entropy on logits: the loss before the step and the trainable variables after it."""
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    before = [np.array(v.numpy(), dtype=np.float64) for v in model.trainable_variables]
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = [np.asarray(g.numpy(), dtype=np.float64) for g in tape.gradient(loss, model.trainable_variables)]
    return float(loss.numpy()), [w - lr * g for w, g in zip(before, grads)]


# --- counting the Python executions of a model's call() (tf.function traces once) -------------------

def counted_model(units: int = 3, training_only: bool = False) -> tuple[Any, Callable[[], int]]:
    """A small keras.Model (one Dense) and a function that says how many times Python ran its
    ``call`` (with ``training=True`` only, if asked). Inside a ``tf.function`` that happens only while
    tracing. The count lives in a closure of this helper, not on the model: the code under test gets the
    model and cannot read or reset it."""
    calls = [0]

    class Counted(keras.Model):
        def __init__(self):
            super().__init__(name="contador")
            self.dense = keras.layers.Dense(units)

        def call(self, x, training=False):
            if training or not training_only:
                calls[0] += 1
            return self.dense(x)

    return Counted(), lambda: int(calls[0])


# --- custom_loop: a model whose behaviour changes every epoch ----------------------------------------

def epoch_probe_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Training (64) and validation (32) data for :func:`epoch_probe`: the class is the argmax of x[:10]
    (a quarter of the validation labels are the argmin instead, so that accuracy is not 0 or 1)."""
    rng = np.random.default_rng(5)
    X_tr, X_va = rng.normal(size=(64, 64)).astype(np.float32), rng.normal(size=(32, 64)).astype(np.float32)
    y_tr = X_tr[:, :10].argmax(axis=1)
    y_va = np.where(np.arange(32) < 24, X_va[:, :10].argmax(axis=1), X_va[:, :10].argmin(axis=1))
    return X_tr, y_tr, X_va, y_va


def epoch_probe(n_train: int) -> tuple[Any, Callable[[], int]]:
    """A model that predicts the class of x (argmax of x[:10]) in even epochs and the reverse in odd ones.

    It knows the epoch from the examples it has seen with ``training=True`` (a non-trainable weight), and
    scales its logits by 1.5 in training and 1.0 in inference. Returns the model and a function that says
    how many times Python ran ``call`` with ``training=True`` (kept in a closure, out of the model's reach)."""
    calls = [0]

    class EpochProbe(keras.Model):
        def __init__(self):
            super().__init__(name="modelo_de_prueba")
            self.n_train, self.dense = float(n_train), keras.layers.Dense(10)
            self.seen = self.add_weight(shape=(), initializer="zeros", trainable=False, name="seen")

        def call(self, x, training=False):
            if training:
                calls[0] += 1
            epoch = tf.math.floordiv(tf.convert_to_tensor(self.seen), self.n_train)
            sign = 1.0 - 2.0 * tf.math.floormod(epoch, 2.0)
            logits = sign * (1.5 if training else 1.0) * x[:, :10] + 0.0 * self.dense(x)
            if training:
                self.seen.assign_add(tf.cast(tf.shape(x)[0], "float32"))
            return tf.nn.softmax(logits)

    model = EpochProbe()
    model(np.zeros((2, 64), np.float32))
    return model, lambda: int(calls[0])


def _probe_metrics(X, y, sign, scale):
    z = sign * scale * X[:, :10].astype(np.float64)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return float(np.mean(-np.log(p[np.arange(len(y)), y]))), float(np.mean(p.argmax(axis=1) == y))


def epoch_probe_expected(epochs: int) -> dict:
    """The curves a correct training loop reports for :func:`epoch_probe` on :func:`epoch_probe_data`:
    each epoch trains with the sign of its parity and validates with the sign of the next one."""
    X_tr, y_tr, X_va, y_va = epoch_probe_data()
    expected = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    for epoch in range(epochs):
        loss, acc = _probe_metrics(X_tr, y_tr, 1.0 if epoch % 2 == 0 else -1.0, 1.5)
        val_loss, val_acc = _probe_metrics(X_va, y_va, 1.0 if epoch % 2 == 1 else -1.0, 1.0)
        for key, value in zip(expected, (loss, acc, val_loss, val_acc)):
            expected[key].append(value)
    return expected


def run_epoch_probe(train_fn: Callable, epochs: int = 4, batch_size: int = 16) -> tuple[dict, int]:
    """Train :func:`epoch_probe` with ``train_fn`` (``train_custom_loop``'s signature) on
    :func:`epoch_probe_data`. Returns the result as plain values and how many times Python ran the
    model's ``call`` in training. Compute what it is compared with afterwards (:func:`epoch_probe_expected`)."""
    X_tr, y_tr, X_va, y_va = epoch_probe_data()
    model, training_calls = epoch_probe(len(X_tr))
    result = train_fn(model, X_tr, y_tr, X_va, y_va, epochs=epochs, batch_size=batch_size, lr=1e-3)
    calls = training_calls()
    return plain(result, "el resultado de train_custom_loop"), calls


def curve(result: Any, key: str, epochs: int) -> np.ndarray:
    """``result[key]`` of a plain result dict as a float array with one value per epoch."""
    check(_type(result) is dict and key in result, f"El resultado debe ser un dict con la clave '{key}'.")
    values = np.asarray(plain(result[key], f"result['{key}']"), dtype=float)
    check_shape(values, (epochs,), f"result['{key}'] (un valor por época)")
    return values


def run_small_loop(train_fn: Callable, epochs: int = 2) -> dict:
    """Train a softmax regression on 64 digits (validating on 32 others) with ``train_fn``; the result
    as plain values (the cheap call of the custom-loop tests' visible part)."""
    from labkit.data import load_digits

    X, y = load_digits()
    keras.utils.set_random_seed(0)
    small = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(10, activation="softmax")])
    return plain(train_fn(small, X[:64], y[:64], X[64:96], y[64:96], epochs=epochs), "train_custom_loop(...)")


# --- figures --------------------------------------------------------------------------------------

def figure_curves(fig: Any) -> dict:
    """Every line of a matplotlib figure as ``{values rounded to 6 decimals: (axis index, label)}``,
    all plain (a tuple of floats, an int and a str)."""
    import matplotlib.figure

    check(_type(fig) is matplotlib.figure.Figure, f"Se esperaba una matplotlib.figure.Figure y es {_type(fig).__name__}.")
    curves = {}
    for k, ax in enumerate(matplotlib.figure.Figure.get_axes(fig)):
        for line in ax.get_lines():
            values = np.asarray(plain(np.asarray(line.get_ydata(), dtype=float), "los datos de una curva"), dtype=float)
            label = plain(str(line.get_label()), "la etiqueta de una curva")
            curves[tuple(float(v) for v in np.round(values, 6))] = (k, label)
    return curves


# --- part6 ---

def _trained_keras_maker():
    saved: list[bytes] = []  # the trained weights, as immutable bytes in this closure

    def build():
        return keras.Sequential([keras.Input((64,)), keras.layers.Dense(128, activation="relu"),
                                 keras.layers.Dropout(0.2), keras.layers.Dense(64, activation="relu"),
                                 keras.layers.Dense(10, activation="softmax")])

    def trained_keras_digits() -> keras.Model:
        """A fresh copy of part6's Keras digits MLP (64→128→64→10 softmax) trained for 10 epochs on
        ``labkit.data.digits_split(seed=0)`` — as the notebook's ``fresh_keras_digits()``, but built by
        the test itself so that no notebook code can change it."""
        import io

        if not saved:
            from labkit.data import digits_split

            X, _, y, _ = digits_split(seed=0)
            keras.utils.set_random_seed(0)
            model = build()
            model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
            model.fit(X, y, epochs=10, batch_size=128, verbose=0)
            buffer = io.BytesIO()
            np.savez(buffer, *model.get_weights())
            saved.append(buffer.getvalue())
        model = build()
        with np.load(io.BytesIO(saved[0])) as arrays:
            model.set_weights([arrays[f"arr_{i}"] for i in range(len(arrays.files))])
        return model

    return trained_keras_digits


trained_keras_digits = _trained_keras_maker()


# --- part4 / part5 ---
import contextlib  # noqa: E402

@contextlib.contextmanager
def host_reads():
    """Within the block, count what brings a TensorFlow result back to the processor: ``.numpy()`` of an
    eager tensor and ``tf.test.experimental.sync_devices()``. Yields ``count()`` (an int, kept in a closure).
    ``np.asarray(tensor)`` reads the result without ``.numpy()``: check for a returned ``np.ndarray`` too."""
    from tensorflow.python.framework import ops

    seen = [0]
    real_numpy, real_sync = ops._EagerTensorBase._numpy, tf.test.experimental.sync_devices

    def counting_numpy(self):
        seen[0] += 1
        return real_numpy(self)

    def counting_sync():
        seen[0] += 1
        return real_sync()

    ops._EagerTensorBase._numpy = counting_numpy
    tf.test.experimental.sync_devices = counting_sync
    try:
        yield lambda: int(seen[0])
    finally:
        ops._EagerTensorBase._numpy = real_numpy
        tf.test.experimental.sync_devices = real_sync


def tflite_reference(model: keras.Model, quantize: bool = False) -> bytes:
    """The test's own TFLite conversion of ``model`` (a concrete function with a dynamic batch, run with
    ``training=False``; dynamic-range quantization when ``quantize``): the yardstick for sizes."""
    spec = tf.TensorSpec([None, *model.input_shape[1:]], tf.float32)
    serve = tf.function(lambda x: model(x, training=False), input_signature=[spec])
    converter = tf.lite.TFLiteConverter.from_concrete_functions([serve.get_concrete_function()])
    if quantize:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return bytes(converter.convert())


def tflite_run(model_bytes: bytes, X) -> np.ndarray:
    """Run a TFLite model (exact ``bytes``) on ``X`` with the test's own interpreter (batch resized to
    ``X``); the first output as a plain array."""
    check(type(model_bytes) is bytes, f"Se esperaban bytes y es {type(model_bytes).__name__}.")
    x = np.asarray(plain(X, "X"), dtype=np.float32)
    interpreter = tf.lite.Interpreter(model_content=model_bytes)
    inp = interpreter.get_input_details()[0]["index"]
    interpreter.resize_tensor_input(inp, list(x.shape))
    interpreter.allocate_tensors()
    interpreter.set_tensor(inp, x)
    interpreter.invoke()
    return plain(np.array(interpreter.get_tensor(interpreter.get_output_details()[0]["index"])), "la salida de TFLite")


# --- part3 / part7 ---
# Helpers of the hidden tests of part3_comparison and part7_project (issue 14). This section captures, when
# the module is imported (the notebook's import cell, before any student code), the framework functions it
# relies on, so a later patch of a class (``tf.data.Dataset``, ``keras.optimizers.Adam`` ...) does not change
# what they read.

import contextlib as _p37_contextlib
import inspect as _p37_inspect

import numpy as _p37_np

from labkit.testing import check as _p37_check
from labkit.testing import plain as _p37_plain

_P37_OPTIMIZER_ATTRS = ("learning_rate", "_get_current_learning_rate", "update_step", "apply", "apply_gradients",
                        "iterations", "_backend_update_step", "_backend_apply_gradients")


def _p37_capture() -> dict:
    import keras
    import tensorflow as tf

    optimizers = {}
    for name in dir(keras.optimizers):
        cls = getattr(keras.optimizers, name)
        if isinstance(cls, type) and issubclass(cls, keras.optimizers.Optimizer):
            optimizers[cls] = {a: _p37_inspect.getattr_static(cls, a, None) for a in _P37_OPTIMIZER_ATTRS}
    dataset = tf.data.Dataset
    return {"optimizers": optimizers, "variant": _p37_inspect.getattr_static(dataset, "_variant_tensor").fget,
            "to_graph": tf.raw_ops.DatasetToGraphV2, "make_ndarray": tf.make_ndarray,
            "lr": _p37_inspect.getattr_static(keras.optimizers.Optimizer, "learning_rate").fget,
            "to_numpy": keras.ops.convert_to_numpy}


def _p37_bind() -> tuple:
    """Capture the framework functions now and bind them in the helpers' closure (out of reach of a
    notebook that imports this module and edits its attributes)."""
    try:
        P = _p37_capture()
    except Exception:  # noqa: BLE001 - a machine without TensorFlow: these helpers then cannot run
        P = {}

    def keras_optimizer(optimizer, what: str = "el optimizador de Keras") -> tuple:
        """``(class name, learning rate, iterations)`` of a Keras optimizer, as plain values.

        The optimizer must be exactly one of ``keras.optimizers``' classes (a subclass, e.g. an SGD called
        ``Adam``, is refused), and neither its class nor the instance may have replaced what the update and the
        learning rate are computed with since this module was imported."""
        cls = type(optimizer)
        table = P["optimizers"].get(cls)
        _p37_check(table is not None, f"Se esperaba que {what} fuera un optimizador de keras.optimizers (Adam, SGD, ...) tal cual, "
                   f"y es {cls.__name__} (de {cls.__module__}).")
        own = getattr(optimizer, "__dict__", {})
        changed = sorted(a for a, original in table.items()
                         if _p37_inspect.getattr_static(cls, a, None) is not original
                         or (a in own and a != "iterations"))
        _p37_check(not changed, f"En {what}, su clase o el propio objeto cambiaron {changed}; el test lee el optimizador "
                   "de Keras tal cual.")
        lr = _p37_plain(P["to_numpy"](P["lr"](optimizer)), f"el learning rate de {what}")
        iterations = _p37_plain(P["to_numpy"](optimizer.iterations), f"las iteraciones de {what}")
        return cls.__name__, float(_p37_np.asarray(lr).reshape(-1)[0]), int(_p37_np.asarray(iterations).reshape(-1)[0])


    def dataset_ops(dataset, what: str = "la tubería") -> tuple:
        """The operations of a ``tf.data`` pipeline, read from TensorFlow's own graph of it: ``(ops, prefetch)``,
        the op names (``CacheDatasetV2``, ``ShuffleDatasetV3``, ``BatchDatasetV2``, ``PrefetchDataset`` ...) and the
        buffer size of every ``prefetch`` (None when it is not a constant). The dataset must be one of TensorFlow's
        own dataset classes (not a subclass defined in the notebook)."""
        import tensorflow as tf
        from tensorflow.core.framework import graph_pb2

        cls = type(dataset)
        _p37_check(isinstance(dataset, tf.data.Dataset) and cls.__module__.startswith("tensorflow."),
                   f"Se esperaba que {what} fuera un tf.data.Dataset de TensorFlow (el que devuelven sus métodos) y es "
                   f"{cls.__name__} (de {cls.__module__}).")
        graph = graph_pb2.GraphDef()
        graph.ParseFromString(P["to_graph"](input_dataset=P["variant"](dataset), external_state_policy=1,
                                               strip_device_assignment=True).numpy())
        nodes = {node.name: node for node in graph.node}
        ops = [str(node.op) for node in graph.node]
        prefetch = []
        for node in graph.node:
            if node.op == "PrefetchDataset":
                const = nodes.get(node.input[1].split(":")[0].lstrip("^")) if len(node.input) > 1 else None
                value = None if const is None or const.op != "Const" else P["make_ndarray"](const.attr["value"].tensor)
                prefetch.append(None if value is None else int(value))
        return ops, prefetch

    return keras_optimizer, dataset_ops


keras_optimizer, dataset_ops = _p37_bind()


def assign_weights_by_shape(model, values: dict, what: str = "el modelo de Keras") -> None:
    """Assign ``values`` (``{shape: array}``, one per trainable weight shape) to the trainable weights of a
    Keras ``model``; fails with a Spanish message unless the weights have exactly those shapes."""
    weights = list(model.trainable_weights)
    found = sorted(tuple(_p37_plain(w, f"un peso de {what}").shape) for w in weights)
    wanted = sorted(tuple(int(d) for d in s) for s in values)
    _p37_check(found == wanted, f"Los pesos de {what} deben tener las formas {wanted} y tienen {found}.")
    for w in weights:
        w.assign(_p37_np.asarray(values[tuple(_p37_plain(w).shape)], dtype=_p37_np.float32))


def weights_by_shape(model, what: str = "el modelo de Keras") -> dict:
    """``{shape: array}`` of a Keras model's trainable weights (plain arrays; the last one wins a repeated shape)."""
    return {tuple(v.shape): v for v in (_p37_plain(w, f"un peso de {what}") for w in list(model.trainable_weights))}


class KerasRun:
    """A Keras model built through :func:`spy_keras_builds`: ``model`` and ``start`` (its weights as built)."""

    __slots__ = ("model", "start")

    def __init__(self, model):
        self.model = model
        self.start = [_p37_plain(w, "un peso del modelo") for w in list(model.trainable_weights)]

    def trained(self) -> bool:
        now = [_p37_plain(w, "un peso del modelo") for w in list(self.model.trainable_weights)]
        return len(now) != len(self.start) or any(bool((a != b).any()) for a, b in zip(self.start, now))


@_p37_contextlib.contextmanager
def spy_keras_builds(namespace: dict, name: str, example=None):
    """While the ``with`` block runs, ``namespace[name]`` (a Keras model builder) is replaced by one that
    records every model it builds (called once on ``example`` first, so that it has weights); yields the
    list of :class:`KerasRun`. The builder is put back when the block ends."""
    build = namespace[name]
    runs: list = []

    def spied(*args, **kwargs):
        model = build(*args, **kwargs)
        if example is not None:
            model(example, training=False)
        runs.append(KerasRun(model))
        return model

    namespace[name] = spied
    try:
        yield runs
    finally:
        namespace[name] = build


def multitask_accuracy(model, X, y, what: str = "el modelo de Keras") -> tuple:
    """``(digit accuracy, parity accuracy)`` of a two-output Keras model on digits ``X`` with labels ``y``
    (parity ``y % 2``), its outputs read by name (``digit``, ``parity``)."""
    from labkit.testing import outputs_by_name

    pred = outputs_by_name(model, model.predict(_p37_np.asarray(X, _p37_np.float32), verbose=0))
    _p37_check(sorted(pred) == ["digit", "parity"], f"{what} debe tener las salidas 'digit' y 'parity' y tiene "
               f"{sorted(pred)}.")
    y = _p37_np.asarray(y)
    return float((pred["digit"].argmax(axis=1) == y).mean()), float((pred["parity"].argmax(axis=1) == y % 2).mean())


def train_keras_multitask(model, seed: int = 3, epochs: int = 20, slow_from: int = 15) -> tuple:
    """``fit`` a compiled two-output Keras model on 75 % of the digits split with ``seed`` (batches of 64, lr 1e-3
    and 1e-4 from epoch ``slow_from``); return :func:`multitask_accuracy` on the other 25 %."""
    import keras

    from labkit.data import load_digits, split

    X, y = load_digits()
    X_tr, X_te, y_tr, y_te = split(X, y, test_size=0.25, seed=seed)
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 1e-3 if epoch < slow_from else 1e-4)
    model.fit(X_tr, {"digit": y_tr, "parity": y_tr % 2}, epochs=epochs, batch_size=64, verbose=0, callbacks=[schedule])
    return multitask_accuracy(model, X_te, y_te)


def saved_multitask_accuracy(path, config: dict) -> tuple:
    """Load a ``.keras`` file and return its :func:`multitask_accuracy` on the test split of ``config["data"]``."""
    import keras

    from labkit.data import load_digits, split

    model = keras.models.load_model(path)
    X, y = load_digits()
    _, X_te, _, y_te = split(X, y, test_size=config["data"]["test_size"], seed=config["data"]["seed"])
    return multitask_accuracy(model, X_te, y_te, "el modelo guardado")
