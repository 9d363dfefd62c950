"""Root pytest hooks, active for any path given to pytest (tests/, source/, notebooks/)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from labkit import threads


def pytest_configure(config):
    """Every kernel started in this pytest process (nbval, grading workers, the quick path) gets
    its share of the cores: with `-n 2` on two cores, one thread each (labkit.threads)."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    threads.apply(workers)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks
def pytest_collection_modifyitems(config, items):
    """Keep every cell of a notebook on one xdist worker (nbval runs them in one kernel)."""
    for item in items:
        if type(item).__name__ == "IPyNbCell":
            item.add_marker(pytest.mark.xdist_group(name=f"nb-{Path(str(item.fspath)).stem}"))
