"""Unit tests of labkit.pretrained: the course's pre-trained bases for transfer learning."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from labkit import pretrained


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    """A private, empty weights cache (and no in-memory copy)."""
    monkeypatch.setenv("LABKIT_CACHE", str(tmp_path))
    monkeypatch.setattr(pretrained, "_memo", {})
    return tmp_path


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """A weights cache shared by this module's tests that only read the bases (pre-trained once)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LABKIT_CACHE", str(tmp_path_factory.mktemp("labkit_cache")))
        mp.setattr(pretrained, "_memo", {})
        pretrained.pretrained_weights()
        yield


def test_importing_pretrained_loads_no_framework():
    import subprocess
    import sys

    code = ("import labkit.pretrained, sys; "
            "print('torch' in sys.modules, 'tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


def test_cache_dir_honours_env(monkeypatch, tmp_path):
    monkeypatch.setenv("LABKIT_CACHE", str(tmp_path / "x"))
    assert pretrained.cache_dir() == tmp_path / "x"
    assert pretrained.cache_path().parent == tmp_path / "x"
    monkeypatch.delenv("LABKIT_CACHE")
    assert pretrained.cache_dir().name == "labkit"


def _fake_pretrain(calls):
    def pretrain():
        calls.append(1)
        return {k: np.full(shape, 0.5, np.float32) for k, shape in pretrained._SHAPES.items()}
    return pretrain


def test_weights_are_cached_atomically_and_reused(cache, monkeypatch):
    calls = []
    monkeypatch.setattr(pretrained, "_pretrain", _fake_pretrain(calls))
    weights = pretrained.pretrained_weights()
    path = pretrained.cache_path()
    assert calls == [1] and path.is_file() and path.parent == cache
    assert [p.name for p in cache.iterdir()] == [path.name]  # no temporary file left behind
    assert path.stat().st_mode & 0o044 == 0o044  # readable by every user (mkstemp would give 0600)
    monkeypatch.setattr(pretrained, "_memo", {})  # a new process: only the file is left
    again = pretrained.pretrained_weights()
    assert calls == [1], "pre-trained again although the cache exists"
    assert all(np.array_equal(weights[k], again[k]) for k in weights)
    again["1.weight"][:] = 0  # callers get copies
    assert not np.array_equal(pretrained.pretrained_weights()["1.weight"], again["1.weight"])
    pretrained.pretrained_weights(refresh=True)
    assert calls == [1, 1]


def test_corrupt_cache_is_rebuilt(cache, monkeypatch):
    calls = []
    monkeypatch.setattr(pretrained, "_pretrain", _fake_pretrain(calls))
    path = pretrained.cache_path()
    path.write_bytes(b"not an npz file")
    assert set(pretrained.pretrained_weights()) == set(pretrained._SHAPES)
    assert calls == [1] and pretrained._read(path) is not None
    path.write_bytes(path.read_bytes()[:100])  # a truncated zip
    assert pretrained._read(path) is None


def test_unwritable_cache_keeps_weights_in_memory(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(pretrained, "_pretrain", _fake_pretrain(calls))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("LABKIT_CACHE", str(blocker / "sub"))  # a folder under a file: cannot exist
    monkeypatch.setattr(pretrained, "_memo", {})
    assert set(pretrained.pretrained_weights()) == set(pretrained._SHAPES)
    pretrained.pretrained_weights()
    assert calls == [1]  # kept in memory


def test_pretraining_is_deterministic_and_leaves_global_rng_alone(warm):
    torch.manual_seed(123)
    np.random.seed(123)
    expected = (torch.rand(3), np.random.rand(3))
    torch.manual_seed(123)
    np.random.seed(123)
    again = pretrained._pretrain()
    pretrained.torch_base()
    assert torch.equal(torch.rand(3), expected[0]) and np.array_equal(np.random.rand(3), expected[1])
    cached = pretrained.pretrained_weights()
    assert all(np.array_equal(cached[k], again[k]) for k in cached)


def test_torch_base_architecture_and_fresh_copies(warm):
    base = pretrained.torch_base()
    assert isinstance(base, torch.nn.Sequential) and base.out_features == 512
    kinds = [type(m).__name__ for m in base]
    assert kinds == ["Unflatten", "Conv2d", "BatchNorm2d", "ReLU", "Conv2d", "ReLU", "MaxPool2d", "Flatten"]
    assert base.training and all(p.requires_grad for p in base.parameters())
    assert base.eval()(torch.rand(3, 64)).shape == (3, 512)
    other = pretrained.torch_base()
    with torch.no_grad():
        base[1].weight.zero_()
    assert not torch.equal(other[1].weight, base[1].weight)


def test_transfer_split():
    split = pretrained.transfer_split(20, seed=0)
    assert split.X_train.shape == (100, 64) and split.X_train.dtype == np.float32
    assert np.array_equal(np.bincount(split.y_train), [20] * 5)
    assert len(split.X_train) + len(split.X_test) == 896  # all digits 5–9 in scikit-learn's set
    assert set(np.unique(split.y_test)) == set(range(5))
    again = pretrained.transfer_split(20, seed=0)
    assert np.array_equal(split.X_train, again.X_train)
    assert not np.array_equal(split.X_train, pretrained.transfer_split(20, seed=1).X_train)
    with pytest.raises(ValueError, match="n_per_class"):
        pretrained.transfer_split(0)


def test_frozen_torch_base_transfers(warm):
    split = pretrained.transfer_split(20, seed=0)
    base = pretrained.torch_base().eval()
    with torch.no_grad():
        train, test = base(torch.from_numpy(split.X_train)), base(torch.from_numpy(split.X_test))
    torch.manual_seed(0)
    head = torch.nn.Linear(512, 5)
    optimizer = torch.optim.Adam(head.parameters(), lr=1e-2)
    labels = torch.from_numpy(split.y_train)
    for _ in range(100):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(head(train), labels).backward()
        optimizer.step()
    accuracy = (head(test).argmax(dim=1).numpy() == split.y_test).mean()
    assert accuracy >= 0.93


def test_keras_base_matches_torch_base(warm):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    kbase = pretrained.keras_base()
    assert tuple(kbase.input_shape) == (None, 64) and tuple(kbase.output_shape) == (None, 512)
    assert all(layer.trainable for layer in kbase.layers)
    X = pretrained.transfer_split(20, seed=0).X_test[:50]
    tbase = pretrained.torch_base().eval()
    with torch.no_grad():
        expected = tbase(torch.from_numpy(X)).numpy()
    found = np.asarray(kbase(X, training=False))
    np.testing.assert_allclose(found, expected, atol=1e-4, rtol=1e-4)
    assert isinstance(kbase, keras.Model)
