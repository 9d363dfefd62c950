"""Root pytest hooks, active for any path given to pytest (tests/, source/, notebooks/)."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks
def pytest_collection_modifyitems(config, items):
    """Keep every cell of a notebook on one xdist worker (nbval runs them in one kernel)."""
    for item in items:
        if type(item).__name__ == "IPyNbCell":
            item.add_marker(pytest.mark.xdist_group(name=f"nb-{Path(str(item.fspath)).stem}"))
