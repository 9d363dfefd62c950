"""Unit tests of the labkit package (the plumbing the notebooks import)."""
from __future__ import annotations

import inspect
import subprocess
import sys

import nbformat
import numpy as np
import pytest
import torch

import labkit
from labkit import data, testing
from labkit.bridge import NeuralNetworkNumPy
from labkit.grading.course import REPO
from labkit.testing_torch import gpu_like


def test_importing_labkit_loads_no_framework():
    code = "import labkit, sys; print('torch' in sys.modules, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_digits_are_flat_scaled_float32_and_split_is_seeded():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and 0 <= X.min() and X.max() == 1.0
    assert y.dtype == np.int64 and set(np.unique(y)) == set(range(10))
    a, b = data.digits_split(seed=3), data.digits_split(seed=3)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert len(a.X_train) == 1437 and len(a.X_test) == 360
    images, _ = data.load_digit_images()
    assert images.shape == (1797, 8, 8) and images.max() == 16


def test_binary_classification_and_one_hot():
    split = data.binary_classification()
    assert split.X_train.shape == (800, 20) and split.X_train.dtype == np.float32
    assert np.array_equal(data.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="etiquetas"):
        data.one_hot(np.array([0, 5]), 3)


def test_seed_everything_makes_torch_and_numpy_repeatable():
    labkit.seed_everything(5)
    a = (np.random.rand(3), torch.rand(3))
    labkit.seed_everything(5)
    b = (np.random.rand(3), torch.rand(3))
    assert np.array_equal(a[0], b[0]) and torch.equal(a[1], b[1])


def test_assert_close_reports_the_largest_difference_in_spanish():
    testing.assert_close([1.0, 2.0], np.array([1.0, 2.0 + 1e-8]))
    with pytest.raises(AssertionError, match=r"diferencia máxima 5\.000e-01 en la posición \(1,\)"):
        testing.assert_close(torch.tensor([1.0, 2.5]), [1.0, 2.0], what="x")
    with pytest.raises(AssertionError, match="forma"):
        testing.assert_close(np.zeros(3), np.zeros(4))
    with pytest.raises(AssertionError, match="NaN"):
        testing.assert_close([np.nan], [1.0])


def test_assert_close_ignores_a_monkeypatched_numpy(monkeypatch):
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "abs", lambda x: x * 0)
    with pytest.raises(AssertionError):
        testing.assert_close([1.0], [2.0])


def test_check_helpers():
    with pytest.raises(AssertionError, match="debe ser Tensor, y es list"):
        testing.check_type([1], torch.Tensor, "x")
    with pytest.raises(AssertionError, match=r"se esperaba la forma \(2, 3\) y tiene \(3, 2\)"):
        testing.check_shape(torch.zeros(3, 2), (2, 3), "t")
    with pytest.raises(AssertionError, match="mensaje"):
        testing.check(np.array([True, True]), "mensaje")  # an array is not a verdict
    testing.check(np.bool_(True), "no")


def test_gpu_like_tensor_behaves_like_cuda_for_numpy_conversion():
    t = gpu_like(torch.arange(4.0, requires_grad=True))
    assert t.is_cuda and t.device.type == "cuda" and t.requires_grad
    with pytest.raises(TypeError, match="cuda"):
        t.detach().numpy()
    assert np.array_equal(t.detach().cpu().numpy(), [0, 1, 2, 3])
    assert np.array_equal(t.detach().to("cpu").numpy(), [0, 1, 2, 3])


def test_numpy_network_matches_the_notebook_read_only_cell():
    nb = nbformat.read(REPO / "source/part0_numpy_bridge/part0_numpy_bridge.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "given_numpy_net")
    assert cell.source.strip() == inspect.getsource(NeuralNetworkNumPy).strip()


def test_numpy_network_backward_matches_finite_differences():
    np.random.seed(0)
    net = NeuralNetworkNumPy(3, 4, 2)
    X, Y = np.random.randn(5, 3), np.eye(2)[[0, 1, 1, 0, 1]]
    net.forward(X)
    grads = net.backward(Y)
    eps, i, j = 1e-6, 1, 2
    net.W1[i, j] += eps
    up = net.cross_entropy_loss(net.forward(X), Y)
    net.W1[i, j] -= 2 * eps
    down = net.cross_entropy_loss(net.forward(X), Y)
    assert abs((up - down) / (2 * eps) - grads["dW1"][i, j]) < 1e-6


def test_quiet_sets_tensorflow_log_level(monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    labkit.quiet()
    import os

    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"


def test_quiet_keeps_the_tensorflow_import_off_stderr():
    """TF 2.21 writes absl start-up lines to fd 2 whatever TF_CPP_MIN_LOG_LEVEL says; a notebook's
    set-up cell must stay clean, while later writes to stderr and import errors still show."""
    import subprocess
    import sys

    code = ("import labkit; labkit.quiet()\n"
            "import keras, tensorflow as tf, sys\n"
            "assert float(tf.constant(2.0)) == 2.0\n"
            "print('after', file=sys.stderr)\n"
            "import importlib.resources; importlib.resources.files('tensorflow')\n")
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("TF_", "GRPC_"))}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stderr == "after\n", out.stderr


def test_the_pool_s_worker_command_parses_with_and_without_feedback(tmp_path):
    """The pool engine starts `python -m labkit.grading.run.worker ROOT [--no-feedback] A:S ...`;
    with --no-feedback between the positionals, plain argparse exited with code 2 (every submission
    'died')."""
    from labkit.grading.run import worker

    for flag in ([], ["--no-feedback"]):
        args = worker.build_parser().parse_intermixed_args([str(tmp_path), *flag, "part0_numpy_bridge:ana", "part1_pytorch:eva"])
        assert args.root == str(tmp_path) and args.items == ["part0_numpy_bridge:ana", "part1_pytorch:eva"]
        assert args.no_feedback == bool(flag)


def test_without_a_uid_of_its_own_the_kernel_s_process_limit_is_relative():
    """A normal user grading without bubblewrap: RLIMIT_NPROC counts every task of the grader's uid
    (Dask workers, the other kernels, all their threads). A fixed 512 killed kernels that import both
    frameworks mid-run (part3-7 references at 0-16 points in `LAB08_SANDBOX=off python3 tasks.py demo`
    as a normal user); the limit is now the uid's tasks at start plus LAB08_SANDBOX_NPROC."""
    import os
    import subprocess
    import sys

    from labkit.grading.run import sandbox

    here = sandbox.tasks_of(os.getuid())
    assert here >= 1
    out = subprocess.run([sys.executable, "-m", "labkit.grading.run.sandbox", "--nproc", "50", "--",
                          sys.executable, "-c", "import resource; print(resource.getrlimit(resource.RLIMIT_NPROC)[0])"],
                         capture_output=True, text=True, check=True).stdout
    assert int(out) >= 50 + here - 5, (out, here)  # a few of this uid's tasks may end meanwhile
