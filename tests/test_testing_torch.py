"""Unit tests of labkit.testing_torch: the spies, recorders and references that hidden tests use
(issue 14). Fast: no notebook is executed."""
from __future__ import annotations

import json
import time

import numpy as np
import pytest
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from labkit import testing_torch as tt


def _mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))


def test_param_count_and_linear_dims_read_plain_values():
    model = _mlp()
    assert tt.param_count(model) == 3 * 5 + 5 + 5 * 2 + 2
    assert tt.linear_dims(model) == [(3, 5), (5, 2)]
    layers = tt.linear_layers(model)
    assert all(type(w) is np.ndarray and w.dtype == np.float64 for w, _ in layers)


def test_relu_stack_is_the_forward_pass_of_a_linear_relu_stack():
    model = _mlp()
    x = torch.randn(4, 3)
    expected = model(x).detach().numpy()
    assert np.allclose(tt.relu_stack(tt.linear_layers(model), x), expected, atol=1e-6)
    assert np.allclose(tt.outputs(model, x.numpy()), expected, atol=1e-6)


def test_outputs_sets_the_mode_and_turns_autograd_off():
    spy, seen = tt.mode_spy()
    model = nn.Sequential(nn.Linear(2, 2), spy)
    tt.outputs(model, torch.ones(1, 2))
    tt.outputs(model, torch.ones(1, 2), train=True)
    assert seen() == [(False, False), (True, False)]


def test_mode_spy_keeps_its_record_out_of_the_layer():
    spy, seen = tt.mode_spy()
    model = nn.Sequential(spy).train()
    model(torch.ones(1))
    with torch.no_grad():
        model.eval()(torch.ones(1))
    assert seen() == [(True, True), (False, False)]
    assert not [k for k in vars(spy) if "record" in k or "seen" in k]
    seen().clear()  # a copy: clearing it changes nothing
    assert len(seen()) == 2


def test_accuracy_and_state_arrays_are_plain():
    assert tt.accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1])) == 0.5
    state = tt.state_arrays(nn.BatchNorm1d(3))
    assert set(state) == {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}
    assert all(type(v) is np.ndarray for v in state.values())


class Slim(nn.Module):
    """A module that keeps its weights out of its state_dict (a faked size)."""

    def __init__(self, inner):
        super().__init__()
        object.__setattr__(self, "inner", inner)

    def forward(self, x):
        return self.inner(x)


def test_serialized_size_and_pickled_copy_see_hidden_weights():
    model = nn.Linear(100, 100)
    slim = Slim(model)
    assert tt.serialized_size(slim) < 2000 < 40_000 < tt.serialized_size(model)
    size, copy = tt.pickled_copy(slim)
    assert size > 40_000
    x = torch.randn(2, 100)
    assert torch.equal(copy(x), model(x))


def test_python_loops_and_forbidden():
    def looped(xs):
        return [x for x in xs]

    def vectorised(x):
        return x * 2

    assert tt.python_loops(looped) == ["ListComp"]
    assert tt.python_loops(vectorised) == []
    real = torch.cdist
    with tt.forbidden(torch, "cdist", "no cdist"):
        with pytest.raises(AssertionError, match="no cdist"):
            torch.cdist(torch.ones(1, 1), torch.ones(1, 1))
    assert torch.cdist is real


def test_marked_square_tells_autograd_from_finite_differences():
    f = tt.marked_square(42.0)
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    f(x).backward()
    assert float(x.grad) == 42.0
    h = 1e-4
    assert abs(float((f(x.detach() + h) - f(x.detach() - h)) / (2 * h)) - 2.0) < 1e-6


def test_backward_counter_counts_steps_and_stops_runaway_training():
    model = nn.Linear(2, 1)
    with tt.backward_counter(model, limit=3) as steps:
        for _ in range(2):
            model(torch.ones(1, 2)).sum().backward()
    assert steps() == 2
    with tt.backward_counter(model, limit=3) as steps:
        for _ in range(100):
            model(torch.ones(1, 2)).sum().backward()
    assert steps() == 4  # stopped on the first step past the limit


def test_reference_epoch_is_a_textbook_sgd_epoch():
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(10, 3), torch.randint(0, 2, (10,))), batch_size=4)
    model = _mlp()
    twin = _mlp()
    loss = tt.reference_epoch(model, loader, lr=0.1)
    opt = torch.optim.SGD(twin.parameters(), lr=0.1)
    total = 0.0
    for xb, yb in loader:
        opt.zero_grad()
        batch = nn.functional.cross_entropy(twin(xb), yb)
        batch.backward()
        opt.step()
        total += batch.item() * len(xb)
    assert abs(loss - total / 10) < 1e-7
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), twin.parameters()))


def test_call_recorder_notes_batch_lengths():
    predict, calls = tt.call_recorder(lambda X: X.sum(axis=1))
    assert predict(np.ones((3, 2))).tolist() == [2.0, 2.0, 2.0]
    predict(np.ones((1, 2)))
    assert calls() == [3, 1]


def test_trained_digits_mlp_is_a_fresh_accurate_copy_every_time():
    from labkit.data import digits_split

    a, b = tt.trained_digits_mlp(), tt.trained_digits_mlp()
    assert a is not b and not a.training
    with torch.no_grad():
        a[0].weight.zero_()  # changing one copy leaves the next untouched
    c = tt.trained_digits_mlp()
    assert float(c[0].weight.detach().abs().sum()) > 0
    _, X_test, _, y_test = digits_split(seed=0)
    assert tt.accuracy(tt.outputs(c, X_test), y_test) > 0.93


def test_pruning_leftovers_lists_what_prune_remove_would_clean():
    from torch.nn.utils import prune

    layer = nn.Sequential(nn.Linear(4, 4))
    prune.l1_unstructured(layer[0], "weight", amount=0.5)
    left = tt.pruning_leftovers(layer)
    assert any("weight_orig" in s for s in left) and any("pre-hook" in s for s in left)
    prune.remove(layer[0], "weight")
    assert tt.pruning_leftovers(layer) == []


def test_onnx_run_runs_any_input_name(tmp_path):
    pytest.importorskip("onnxruntime")
    model = nn.Linear(3, 2).eval()
    path = tmp_path / "m.onnx"
    torch.onnx.export(model, (torch.zeros(1, 3),), str(path), dynamo=False, input_names=["features"],
                      dynamic_axes={"features": {0: "n"}})
    x = torch.randn(4, 3)
    assert np.allclose(tt.onnx_run(path, x), model(x).detach().numpy(), atol=1e-6)


def test_simulated_clock_drives_perf_counter_and_timeit():
    import timeit

    real = time.perf_counter
    with tt.simulated_clock([0.5, 0.25]) as work:
        start = time.perf_counter()
        work()
        assert time.perf_counter() - start == 0.5
        assert timeit.timeit(work, number=1) == 0.25
    assert time.perf_counter is real
    assert timeit.Timer.__init__.__defaults__[2] is real


def test_serving_helpers_return_plain_outcomes():
    def handler(request):
        if request is None:
            raise TypeError("boom")
        if request == "bytes":
            return b"x"
        data = json.loads(request)
        return json.dumps({"error": "La petición no es válida."} if "instances" not in data else {"predictions": [1]})

    assert tt.reply(handler, None) == ("raised", "TypeError: boom")
    assert tt.reply(handler, "bytes") == ("not-str", "bytes")
    assert tt.reply(handler, json.dumps({"instances": []})) == ("json", {"predictions": [1]})
    assert tt.looks_spanish("Falta la clave") and not tt.looks_spanish("Missing key") and not tt.looks_spanish(None)
    cases = tt.bad_requests(64)
    assert len({label for label, _, _ in cases}) == len(cases) and any(must == "64" for _, _, must in cases)
