"""Unit tests of the part3 / part7 sections of labkit.testing_torch and labkit.testing_tf (issue 14): the
spies, readers and NumPy references the hidden tests of part3_comparison and part7_project use. Fast: no
notebook runs."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from labkit import testing_torch as tt  # noqa: E402


def test_set_params_by_shape_copies_by_shape_and_refuses_other_shapes():
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    values = {(2, 3): np.ones((2, 3)), (2,): np.zeros(2), (1, 2): np.full((1, 2), 2.0), (1,): np.ones(1)}
    tt.set_params_by_shape(model, values, "m")
    assert [p.shape for p in tt.param_values(model)] == [(2, 3), (2,), (1, 2), (1,)]
    assert tt.predict_eval(model, np.ones((4, 3)))[0, 0] == pytest.approx(2 * 3 * 2 + 1)
    with pytest.raises(AssertionError, match="formas"):
        tt.set_params_by_shape(model, {(3, 3): np.ones((3, 3))}, "m")


def test_epoch_ids_reads_any_iterable_of_batches_and_stops_endless_ones():
    X = np.zeros((7, 2), np.float32)
    X[:, 0] = np.arange(7)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(X), torch.arange(7) * 2),
                                         batch_size=3)
    ids, labels = tt.epoch_ids(loader, 7, 3)
    assert ids.tolist() == list(range(7)) and labels.tolist() == [2 * i for i in range(7)]
    tt.check_one_pass(ids, 7, "x")
    with pytest.raises(AssertionError, match="una vez"):
        tt.check_one_pass(ids[:-1], 7, "x")

    def endless():
        while True:
            yield torch.from_numpy(X[:3]), torch.zeros(3)
    with pytest.raises(AssertionError, match="repeat"):
        tt.epoch_ids(endless(), 7, 3)
    with pytest.raises(AssertionError, match="float32"):
        tt.epoch_ids([(torch.zeros(2, 2, dtype=torch.float64), torch.zeros(2))], 7, 3)


def test_spy_torch_builds_records_training_and_restores_the_builder():
    namespace = {"build": lambda: nn.Sequential(nn.Linear(3, 2))}
    original = namespace["build"]
    with tt.spy_torch_builds(namespace, "build") as runs:
        assert namespace["build"] is not original
        net = namespace["build"]()
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
        for _ in range(2):
            net.train()
            optimizer.zero_grad()
            net(torch.randn(5, 3)).sum().backward()
            optimizer.step()
        net.eval()
        with torch.no_grad():
            net(torch.randn(4, 3))
    assert namespace["build"] is original
    (run,) = runs
    assert run.trained() and run.training_batches() == [5, 5]
    fraction, median = tt.adam_like_fraction(run.start, run.first_step, 1e-3)
    assert fraction == 1.0 and median == pytest.approx(1e-3, rel=1e-3)
    sgd_like = [p + 1e-5 for p in run.start]
    assert tt.adam_like_fraction(run.start, sgd_like, 1e-3)[0] == 0.0


def test_spy_restores_the_builder_after_an_error():
    namespace = {"build": object()}
    original = namespace["build"]
    with pytest.raises(RuntimeError), tt.spy_torch_builds(namespace, "build"):
        raise RuntimeError
    assert namespace["build"] is original


def test_numpy_references_match_pytorch():
    torch.manual_seed(0)
    lin1, lin2 = nn.Linear(4, 3), nn.Linear(3, 1)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    with torch.no_grad():
        expected = torch.sigmoid(lin2(torch.relu(lin1(torch.from_numpy(x))))).numpy()
    layers = [(lin.weight.detach().numpy().T, lin.bias.detach().numpy()) for lin in (lin1, lin2)]
    np.testing.assert_allclose(tt.mlp_forward(x, layers), expected, atol=1e-6)
    conv = nn.Conv2d(1, 8, 3, padding=1)
    digits = np.random.default_rng(1).uniform(size=(3, 64)).astype(np.float32)
    with torch.no_grad():
        pooled = torch.max_pool2d(torch.relu(conv(torch.from_numpy(digits).reshape(-1, 1, 8, 8))), 2).numpy()
    np.testing.assert_allclose(tt.conv_relu_pool(digits, conv.weight.detach().numpy(), conv.bias.detach().numpy()),
                               pooled, atol=1e-5)


class _Close:
    def __sub__(self, other):
        return self
    __rsub__ = __add__ = __truediv__ = __sub__

    def __abs__(self):
        return 0.0


def test_figure_reader_sees_bars_and_error_bars_and_ignores_fakes():
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Rectangle

    class FakeBar(Rectangle):
        def get_height(self):
            return _Close()

    fig, (ax, other) = plt.subplots(1, 2)
    ax.bar(["a", "b"], [1.7, 2.9], yerr=[0.21, 0.37])
    other.add_patch(FakeBar((0, 0), 5, 5))
    other.add_collection(LineCollection([[(0, 0), (0, 4)]]).__class__([[(9, 0), (9, 4)]]))
    bars, errors = tt.figure_bars_and_errorbars(fig)
    plt.close(fig)
    assert bars == [(1.7, 0.8), (2.9, 0.8)]
    assert (1.7, pytest.approx(0.21)) in [(c, s) for c, s in errors] and (2.0, 2.0) in errors
    with pytest.raises(AssertionError, match="figura"):
        tt.figure_bars_and_errorbars(object())


def test_multitask_scores_and_test_split():
    class Net(nn.Module):
        def forward(self, x):
            return torch.zeros(len(x), 10), torch.zeros(len(x), 2)

    X, y = tt.test_split({"data": {"test_size": 0.2, "seed": 0}})
    assert X.shape == (360, 64) and y.shape == (360,)
    digit, parity = tt.multitask_scores(Net(), X, y)
    assert digit == pytest.approx(np.mean(y == 0)) and parity == pytest.approx(np.mean(y % 2 == 0))


# --- TensorFlow / Keras ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tfk():
    import keras
    import tensorflow as tf

    from labkit import testing_tf

    return tf, keras, testing_tf


def test_keras_optimizer_reads_real_optimizers_and_refuses_disguises(tfk):
    tf, keras, ttf = tfk
    assert ttf.keras_optimizer(keras.optimizers.Adam(1e-3))[:2] == ("Adam", pytest.approx(1e-3))

    class Adam(keras.optimizers.RMSprop):
        pass
    with pytest.raises(AssertionError, match="tal cual"):
        ttf.keras_optimizer(Adam(1e-3))
    real = keras.optimizers.Adam.learning_rate
    keras.optimizers.Adam.learning_rate = property(lambda self: 1e-3, real.fset)
    try:
        with pytest.raises(AssertionError, match="learning_rate"):
            ttf.keras_optimizer(keras.optimizers.Adam(1e-2))
    finally:
        del keras.optimizers.Adam.learning_rate
    opt = keras.optimizers.SGD(0.1)
    opt.update_step = lambda *a: None
    with pytest.raises(AssertionError, match="update_step"):
        ttf.keras_optimizer(opt)


def test_dataset_ops_reads_the_pipeline_and_refuses_subclasses(tfk):
    tf, keras, ttf = tfk
    ds = tf.data.Dataset.from_tensor_slices(np.zeros((10, 2), np.float32)).cache().shuffle(10, seed=0).batch(4)
    ops, prefetch = ttf.dataset_ops(ds.prefetch(tf.data.AUTOTUNE))
    assert any(o.startswith("Cache") for o in ops) and any(o.startswith("Shuffle") for o in ops)
    assert prefetch == [int(tf.data.AUTOTUNE)]
    assert ttf.dataset_ops(ds)[1] == [] and ttf.dataset_ops(ds.prefetch(2))[1] == [2]

    class Fake(type(ds)):
        pass
    fake = Fake.__new__(Fake)
    fake.__dict__.update(ds.__dict__)
    with pytest.raises(AssertionError, match="tf.data.Dataset de TensorFlow"):
        ttf.dataset_ops(fake)


def test_keras_weights_by_shape_and_spy(tfk):
    tf, keras, ttf = tfk
    namespace = {"build": lambda: keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])}
    original = namespace["build"]
    with ttf.spy_keras_builds(namespace, "build", example=np.zeros((1, 3), np.float32)) as runs:
        model = namespace["build"]()
    assert namespace["build"] is original and len(runs) == 1 and not runs[0].trained()
    ttf.assign_weights_by_shape(model, {(3, 2): np.ones((3, 2)), (2,): np.full(2, 0.5)})
    assert runs[0].trained()
    assert set(ttf.weights_by_shape(model)) == {(3, 2), (2,)}
    with pytest.raises(AssertionError, match="formas"):
        ttf.assign_weights_by_shape(model, {(3, 3): np.ones((3, 3))})


def test_multitask_scores_accepts_a_list_of_two_outputs():
    class Net(nn.Module):
        def forward(self, x):
            return [torch.zeros(len(x), 10), torch.zeros(len(x), 2)]

    assert tt.multitask_scores(Net(), np.zeros((4, 64), np.float32), np.zeros(4, int)) == (1.0, 1.0)
