"""Unit tests of the part4 / part5 helpers of labkit.testing_torch and labkit.testing_tf (no notebook runs)."""
from __future__ import annotations

import time

import pytest
import torch

from labkit import testing_torch as tt


def test_check_torch_untouched_sees_a_patched_optimizer(monkeypatch):
    tt.check_torch_untouched()
    ns: dict = {}
    exec(compile("def init(self, params, lr=1e-3, **kw):\n    pass\n", "/tmp/ipykernel_0/cell.py", "exec"), ns)
    monkeypatch.setattr(torch.optim.Adam, "__init__", ns["init"])
    assert "Adam.__init__" in tt.torch_patches()
    with pytest.raises(AssertionError, match="modificado clases de PyTorch"):
        tt.check_torch_untouched()


def test_a_planted_checkpoint_catches_unsafe_loading(tmp_path):
    torch.save({"epoch": 1, "w": torch.ones(2)}, tmp_path / "ok.pt")
    ran = tt.planted_checkpoint(tmp_path / "trap.pt", tmp_path / "ok.pt")
    with pytest.raises(Exception):
        torch.load(tmp_path / "trap.pt", weights_only=True)
    assert not ran()
    with tt.unsafe_default_load(), pytest.warns(UserWarning):
        torch.load(tmp_path / "trap.pt")
    assert ran()


def test_optimizer_state_is_plain():
    p = torch.nn.Parameter(torch.ones(3))
    opt = torch.optim.Adam([p], lr=0.1)
    p.grad = torch.ones(3)
    opt.step()
    state = tt.optimizer_state(opt)
    assert sorted(state[0]) == ["exp_avg", "exp_avg_sq", "step"] and type(state[0]["exp_avg"]).__name__ == "ndarray"


def test_scheduler_recorder_lists_exact_schedulers_with_their_settings():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with tt.scheduler_recorder() as created:
        torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.1)
        torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5)
    assert created() == [("StepLR", {"step_size": 10, "gamma": 0.1}), ("CosineAnnealingLR", {"T_max": 5})]
    assert torch.optim.lr_scheduler.LRScheduler.__init__ is tt._TORCH_PRISTINE[torch.optim.lr_scheduler.LRScheduler]["__init__"]


def _train(model, loader, move_x=True, move_y=True):
    model = model.to("cpu")
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for xb, yb in loader:
        xb = xb.to("cpu") if move_x else xb
        yb = yb.to("cpu") if move_y else yb
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(xb), yb).backward()
        opt.step()


@pytest.mark.parametrize("move_x, move_y", [(True, True), (False, True), (True, False)])
def test_move_spy_reports_unmoved_batches(move_x, move_y):
    from torch.utils.data import DataLoader, TensorDataset

    mark, model, report = tt.move_spy()
    loader = DataLoader(TensorDataset(mark(torch.randn(8, 6)), mark(torch.randint(0, 3, (8,)))), batch_size=4)
    _train(model, loader, move_x, move_y)
    found = report()
    assert found["moves"] == ["cpu"] and found["forwards_before_move"] == 0
    assert (found["unmoved_inputs"] == 0) == move_x and (found["unmoved_backward"] == 0) == (move_x and move_y)


def test_autocast_probe_records_the_mode():
    model, seen = tt.autocast_probe()
    model(torch.randn(2, 8))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        model(torch.randn(2, 8))
    assert seen() == [(False, "torch.bfloat16"), (True, "torch.bfloat16")]


def test_fake_benchmark_and_replaced():
    ns = {"benchmark": "real"}
    fake, calls = tt.fake_benchmark({"median": 0.25})
    with tt.replaced(ns, "benchmark", fake):
        assert ns["benchmark"](lambda: 3, warmup=1)["median"] == 0.25
    assert ns["benchmark"] == "real" and calls()[0]["output"] == 3


def _bench(fn, warmup, repeats, *, time_warmup=False):
    times = []
    start = time.perf_counter()
    for _ in range(warmup):
        fn()
    for _ in range(repeats):
        if not time_warmup:
            start = time.perf_counter()
        fn()
        now = time.perf_counter()
        times.append(now - start)
        start = now
    return times


def test_logged_timer_measures_what_the_clock_brackets():
    timer, measured = tt.logged_timer([64.0, 0.5, 0.25])
    with timer.patch():
        times = _bench(timer.fn, 1, 2)
    assert times == [0.5, 0.25] and measured(1) == [0.5, 0.25]
    timer, measured = tt.logged_timer([64.0, 0.5, 0.25])
    with timer.patch():
        times = _bench(timer.fn, 1, 2, time_warmup=True)
    assert measured(1) == [-1.0, 0.25] and times != measured(1)


def test_profiler_costs_ranks_by_the_made_up_cost():
    from torch.profiler import ProfilerActivity, profile

    real = torch.autograd.profiler.profile.key_averages
    with tt.profiler_costs(False) as ranking:
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            torch.nn.Linear(4, 2)(torch.randn(3, 4))
        events = prof.key_averages()
        by_cost = [e.key for e in sorted(events, key=lambda e: e.cpu_time_total, reverse=True)]
    assert ranking() == by_cost and torch.autograd.profiler.profile.key_averages is real


def test_host_reads_counts_numpy_and_sync():
    tf = pytest.importorskip("tensorflow")
    from labkit.testing_tf import host_reads

    with host_reads() as count:
        tf.constant([1.0]).numpy()
        tf.test.experimental.sync_devices()
    assert count() == 2
