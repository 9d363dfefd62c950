"""One rule for the threads of every kernel the course starts (labkit.threads, issue 19)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from labkit import threads
from labkit.grading.run import sandbox


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr(threads, "cores", lambda: 2)


@pytest.mark.parametrize("parallel, expected", [(1, 2), (2, 1), (4, 1)])
def test_each_of_n_kernels_gets_its_share(two_cores, parallel, expected):
    env = threads.plan(parallel, {})
    for var in threads.THREAD_VARS + (threads.SHARE_VAR,):
        assert env[var] == str(expected), (var, env)


def test_a_share_is_split_again_down_the_tree(two_cores):
    """pytest-xdist's two workers each run grading with two jobs: 2 cores // 2 // 2 -> 1 thread."""
    top = threads.plan(1, {})
    worker = threads.plan(2, top)
    assert threads.plan(2, {**top, **worker})["OMP_NUM_THREADS"] == "1"
    big = {**threads.plan(1, {}), threads.BUDGET_VAR: "16"}
    assert threads.plan(4, big)["OMP_NUM_THREADS"] == "4"


def test_an_explicit_setting_wins_and_is_kept_down_the_tree(two_cores):
    env = threads.plan(2, {"LAB08_KERNEL_THREADS": "3"})
    assert env["OMP_NUM_THREADS"] == "3" and env["TF_NUM_INTRAOP_THREADS"] == "3"
    assert threads.plan(2, env)["OMP_NUM_THREADS"] == "3"
    by_hand = threads.plan(2, {"OMP_NUM_THREADS": "2"})
    assert by_hand["MKL_NUM_THREADS"] == "2"
    assert "by hand" in threads.describe(2, {"OMP_NUM_THREADS": "2"})


def test_the_sandboxed_kernel_environment_carries_the_share(monkeypatch, two_cores):
    for k in threads.MANAGED:
        monkeypatch.delenv(k, raising=False)
    for k, v in threads.plan(2, {}).items():
        monkeypatch.setenv(k, v)
    env = sandbox.kernel_env("tag")
    for var in threads.THREAD_VARS + (threads.SHARE_VAR,):
        assert env[var] == "1", var


def test_quiet_gives_torch_the_share_right_after_import():
    code = ("import labkit; labkit.quiet(); import torch; "
            "print(torch.get_num_threads(), torch.get_num_interop_threads())")
    env = {**os.environ, threads.SHARE_VAR: "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "1"], out


def test_pytest_workers_run_their_kernels_with_a_share():
    """The root conftest applies the rule in every pytest process (nbval kernels inherit it)."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    assert os.environ["OMP_NUM_THREADS"] == str(threads.share(workers)) or os.environ.get(threads.FIXED_VAR)
    assert os.environ["TF_NUM_INTRAOP_THREADS"] == os.environ["OMP_NUM_THREADS"]


def test_a_dask_grading_process_gets_none_of_the_nanny_environment():
    """Dask's nanny gives its workers one thread per numeric library and an aggressive malloc trim
    (``MALLOC_TRIM_THRESHOLD_``, which made every graded notebook ~30 % slower than under the pool): the
    grading process a Dask task starts drops all of it, and takes its threads from labkit.threads."""
    import importlib

    import dask

    importlib.import_module("distributed")  # registers the distributed config
    from labkit.grading.run.task import DASK_NANNY_ENV

    assert set(dask.config.get("distributed.nanny.pre-spawn-environ")) <= set(DASK_NANNY_ENV)
