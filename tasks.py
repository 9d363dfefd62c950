#!/usr/bin/env python3
"""Lab 08 tasks. Needs only Python 3.11; creates or reuses the virtual environment `.venv/` itself.

    python3 tasks.py demo     rebuild release/, grade the sample submissions, print the score table
    python3 tasks.py test     everything CI checks (pytest: labkit, pipeline, grading, nbval)
    python3 tasks.py bench    notebook execution vs autograde time (performance budget)
    python3 tasks.py throughput  students graded per minute, 1 vs 2 workers (--students N --jobs 1 2 4)
    python3 tasks.py lab      open JupyterLab in the course environment
    python3 tasks.py setup    only create/update the environment

Extra arguments go to the underlying command (e.g. `python3 tasks.py test -k part0`).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("LAB08_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".lab08-requirements.sha256"
PYTEST = ["-m", "pytest", "-n", "2", "--dist", "loadgroup", "--timeout", "900", "--durations", "25",
          "--nbval-lax", "--nbval-cell-timeout", "120", "-p", "no:cacheprovider",
          "tests", "source", "notebooks"]


def _digest() -> str:
    h = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def setup() -> None:
    """Create `.venv` if needed and install requirements.txt when it changed since last time."""
    if sys.version_info[:2] != (3, 11):
        print(f"warning: the course is pinned for Python 3.11; this is {sys.version.split()[0]}")
    if not PY.exists():
        print(f"creating the virtual environment {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _digest():
        return
    print("installing requirements.txt (first run: a few minutes) ...", flush=True)
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True, cwd=ROOT)
    subprocess.run(pip + ["-r", "requirements.txt"], check=True, cwd=ROOT)
    STAMP.write_text(_digest())


def run(args: list[str]) -> int:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}
    return subprocess.run([str(PY), *args], cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    task, extra = argv[0], argv[1:]
    commands = {
        "setup": None,
        "demo": ["-m", "labkit", "demo", *extra],
        "test": [*PYTEST, *extra],
        "bench": ["-m", "labkit.grading.benchmark", *extra],
        "throughput": ["-m", "labkit.grading.throughput", *extra],
        "lab": ["-m", "jupyterlab", *extra],
    }
    if task not in commands:
        print(f"unknown task {task!r}\n{__doc__}", file=sys.stderr)
        return 2
    setup()
    return 0 if commands[task] is None else run(commands[task])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
