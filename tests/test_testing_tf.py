"""Unit tests of labkit.testing_tf: the Keras helpers of the hidden tests (fast, no notebook)."""
from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from keras import layers  # noqa: E402

from labkit import testing_tf as kt  # noqa: E402


def _guide_sequential(input_dim=20, rate=0.3):
    return keras.Sequential([keras.Input(shape=(input_dim,)), layers.Dense(64, activation="relu"), layers.Dropout(rate),
                             layers.Dense(32, activation="relu"), layers.Dropout(rate), layers.Dense(1, activation="sigmoid")])


def test_guide_mlp_forward_matches_keras_in_inference():
    model = _guide_sequential()
    W = kt.guide_mlp_weights(20, seed=0)
    kt.set_weights_by_shape(model, W)
    x = np.random.default_rng(1).normal(size=(8, 20)).astype(np.float32)
    np.testing.assert_allclose(model(x, training=False).numpy(), kt.guide_mlp_forward(W, x), atol=1e-5)


def test_set_weights_by_shape_refuses_other_shapes():
    model = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(16), layers.Dense(1)])
    with pytest.raises(AssertionError, match="formas"):
        kt.set_weights_by_shape(model, kt.guide_mlp_weights(20))


def test_check_guide_dropout_accepts_dropout_and_refuses_a_wrong_rate():
    kt.check_guide_dropout(_guide_sequential(), n=2000)
    with pytest.raises(AssertionError, match="conservar"):
        kt.check_guide_dropout(_guide_sequential(rate=0.5), n=2000)
    no_dropout = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(64, activation="relu"),
                                   layers.Dense(32, activation="relu"), layers.Dense(1, activation="sigmoid")])
    with pytest.raises(AssertionError):
        kt.check_guide_dropout(no_dropout, n=2000)


def test_model_classes_are_read_from_the_real_class():
    inp = keras.Input(shape=(3,))
    h = layers.Dense(3)(inp)
    functional = keras.Model(inp, layers.Add()([inp, h]))
    kt.check_functional(functional, "m")
    assert kt.count_layers(functional, "Add") == 1

    class Named(keras.Model):  # a student's class built with the functional constructor
        pass

    inp2 = keras.Input(shape=(3,))
    named = Named(inp2, layers.Add()([inp2, layers.Dense(3)(inp2)]))
    kt.check_functional(named, "m")
    assert kt.count_layers(named, "Add") == 1

    class Liar(keras.Model):  # a subclassed model that claims Add layers it does not use
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        @property
        def layers(self):
            return [layers.Add(), layers.Add()]

        def call(self, x):
            return self.dense(x)

    liar = Liar()
    with pytest.raises(AssertionError, match="funcional"):
        kt.check_functional(liar, "m")
    with pytest.raises(AssertionError, match="Sequential"):
        kt.count_layers(liar, "Add")


def test_check_adam_reads_the_exact_optimizer_class():
    model = _guide_sequential()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    kt.check_adam(model, "m")

    class Disguised(keras.optimizers.SGD):
        __class__ = property(lambda self: keras.optimizers.Adam)

    model.compile(optimizer=Disguised(), loss="binary_crossentropy")
    assert isinstance(model.optimizer, keras.optimizers.Adam)  # what isinstance would have believed
    with pytest.raises(AssertionError, match="Adam"):
        kt.check_adam(model, "m")


def test_zero_inner_weights_zeroes_the_blocks_only():
    inp = keras.Input(shape=(4,))
    h = layers.Dense(5)(inp)
    f = layers.Dense(5)(h)
    out = layers.Dense(1)(layers.Add()([h, f]))
    model = keras.Model(inp, out)
    assert kt.zero_inner_weights(model) == 1
    assert all(not w.numpy().any() for w in model.layers[2].weights)
    assert model.layers[1].weights[0].numpy().any()


def test_counted_model_counts_python_calls_out_of_the_models_reach():
    model, calls = kt.counted_model(units=3)
    model(np.zeros((2, 4), np.float32))
    step = tf.function(lambda x: model(x, training=True))
    step(tf.zeros((2, 4)))
    traced = calls()
    for _ in range(3):
        step(tf.zeros((2, 4)))
    assert traced >= 2 and calls() == traced  # the eager call and the trace(s), then none
    for _ in range(3):
        model(np.zeros((2, 4), np.float32), training=True)
    assert calls() == traced + 3  # eager calls all count
    assert not [k for k, v in vars(model).items() if type(v) is int and v == calls()]  # no count on the model


def _loop(model, X_train, y_train, X_val, y_val, epochs=5, batch_size=32, lr=1e-3, graph=True, reset=True):
    optimizer = keras.optimizers.Adam(learning_rate=lr)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    tl, ta, vl, va = (keras.metrics.Mean(), keras.metrics.SparseCategoricalAccuracy(), keras.metrics.Mean(),
                      keras.metrics.SparseCategoricalAccuracy())
    ds = tf.data.Dataset.from_tensor_slices((X_train, y_train)).shuffle(len(X_train)).batch(batch_size)

    def step(x, y):
        with tf.GradientTape() as tape:
            p = model(x, training=True)
            loss = loss_fn(y, p)
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        tl.update_state(loss)
        ta.update_state(y, p)

    step = tf.function(step) if graph else step
    out = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        for m in (tl, ta, vl, va):
            if reset:
                m.reset_state()
        for x, y in ds:
            step(x, y)
        p = model(X_val, training=False)
        vl.update_state(loss_fn(y_val, p))
        va.update_state(y_val, p)
        for key, m in zip(out, (tl, ta, vl, va)):
            out[key].append(float(m.result()))
    return out


def test_epoch_probe_tells_a_correct_loop_from_a_wrong_one():
    expected = kt.epoch_probe_expected(4)
    result, calls = kt.run_epoch_probe(_loop)
    for key in expected:
        np.testing.assert_allclose(kt.curve(result, key, 4), expected[key], atol=1e-4)
    assert calls <= 4
    eager, eager_calls = kt.run_epoch_probe(lambda *a, **k: _loop(*a, graph=False, **k))
    assert eager_calls == 16
    stale, _ = kt.run_epoch_probe(lambda *a, **k: _loop(*a, reset=False, **k))
    assert np.abs(kt.curve(stale, "accuracy", 4) - expected["accuracy"]).max() > 0.1


def test_curve_and_small_loop_give_plain_values():
    result = kt.run_small_loop(_loop, epochs=2)
    assert type(result) is dict and type(result["loss"][0]) is float
    assert kt.curve(result, "val_loss", 2).shape == (2,)
    with pytest.raises(AssertionError, match="forma"):
        kt.curve(result, "loss", 3)
    with pytest.raises(AssertionError, match="clave"):
        kt.curve(result, "nope", 2)


def test_sgd_step_reference_matches_an_sgd_step():
    x, y = np.random.default_rng(3).normal(size=(8, 4)).astype(np.float32), np.array([0, 1, 2, 0, 1, 2, 0, 1])
    loss, after = kt.sgd_step_reference(kt.bn_model(1), x, y, lr=0.1)
    model = kt.bn_model(1)
    model.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    found = model.train_on_batch(x, y)
    assert abs(float(np.ravel(found)[0]) - loss) < 1e-5
    for v, e in zip(model.trainable_variables, after):
        np.testing.assert_allclose(v.numpy(), e, atol=1e-5)


def test_a_patched_keras_class_is_seen(monkeypatch):
    kt.check_keras_untouched()
    ns: dict = {}
    exec(compile("def call(self, inputs, training=None):\n    return inputs\n", "/tmp/ipykernel_0/cell.py", "exec"), ns)
    monkeypatch.setattr(layers.BatchNormalization, "call", ns["call"])
    with pytest.raises(AssertionError, match="BatchNormalization.call"):
        kt.check_keras_untouched()
    monkeypatch.undo()
    kt.check_keras_untouched()


def test_figure_curves_reads_values_axes_and_labels():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2)
    a.plot([1.0, 0.5], label="train")
    b.plot([0.2, 0.4])
    curves = kt.figure_curves(fig)
    plt.close(fig)
    assert curves[(1.0, 0.5)] == (0, "train") and curves[(0.2, 0.4)][0] == 1
    with pytest.raises(AssertionError, match="Figure"):
        kt.figure_curves(object())
