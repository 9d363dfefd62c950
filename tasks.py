#!/usr/bin/env python3
"""Lab 08 tasks. Needs only Python 3.11; creates or reuses the virtual environment `.venv/` itself.

    python3 tasks.py demo     rebuild release/, grade the sample submissions, print the score table
    python3 tasks.py test     everything CI checks (pytest: labkit, pipeline, grading, nbval)
    python3 tasks.py bench    notebook execution vs autograde time (performance budget)
    python3 tasks.py throughput  students graded per minute, 1 vs 2 workers, Dask engine vs the old pool
                              (--students N --jobs 1 2 4 --cluster local pool)
    python3 tasks.py lab      open JupyterLab in the course environment
    python3 tasks.py grade-ui JupyterLab opened on formgrader (manual grading of the reflection answers)
    python3 tasks.py publish DIR  write the student edition into DIR (--zip for one archive)
    python3 tasks.py setup    only create/update the environment

Extra arguments go to the underlying command (e.g. `python3 tasks.py test -k part0`).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from labkit import settings  # noqa: E402  (stdlib only: every LAB08_* variable and timeout)

VENV = Path(settings.VENV.get() or ROOT / ".venv")
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
PYTEST = ["-m", "pytest", "-n", "2", "--dist", "loadgroup", "--timeout", str(settings.TEST_TIMEOUT),
          "--durations", "25", "--nbval-lax", "--nbval-cell-timeout", str(settings.NBVAL_CELL_TIMEOUT),
          "-p", "no:cacheprovider",
          "tests", "notebooks"]  # source/ runs cell by cell in the reference grading (tests/test_grading.py)


def _edition_tasks():
    """The student edition's tasks.py (stdlib only): one `setup` for both, messages in English here."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_lab08_student_tasks", ROOT / "labkit/grading/edition/tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def setup() -> None:
    """Create `.venv` if needed and install requirements.txt when it changed since last time; then
    make sure the grading sandbox (bubblewrap) is there, or say plainly that it is not."""
    edition = _edition_tasks()
    if settings.INSTALLER.get() == "uv":
        _install_with_uv(edition)
    edition.setup(ROOT, VENV, lang="en")  # pip: a no-op once the environment matches requirements.txt
    _ensure_bubblewrap()


def _install_with_uv(edition) -> None:
    """Fill a new or outdated environment with uv (about a minute instead of two: parallel downloads,
    unpacking and bytecode compilation). pip installs uv itself and the pinned torch wheel first
    (pip finds the CPU wheel this machine keeps on disk; uv would look only on PyPI, whose torch
    wheels pull gigabytes of CUDA libraries); uv installs the rest. On any failure pip does it all."""
    import tempfile
    import venv

    stamp = VENV / ".lab08-requirements.sha256"
    if PY.exists() and stamp.exists() and stamp.read_text() == edition._digest(ROOT):
        return
    if not PY.exists():
        print(f"creating the virtual environment {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    torch = [ln.strip() for ln in lines if ln.strip().startswith("torch==")]
    print("installing requirements.txt with uv (first run: about a minute) ...", flush=True)
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    env = {**os.environ, "UV_NATIVE_TLS": os.environ.get("UV_NATIVE_TLS", "1")}  # the system's certificates
    with tempfile.NamedTemporaryFile("w", suffix=".txt", dir=ROOT, delete=False) as rest:
        rest.write("\n".join(ln for ln in lines if ln.strip() not in torch) + "\n")
    try:
        ok = subprocess.run(pip + ["uv", *torch], cwd=ROOT).returncode == 0 and subprocess.run(
            [str(PY), "-m", "uv", "pip", "install", "--quiet", "--python", str(PY), "--compile-bytecode",
             "-r", rest.name], cwd=ROOT, env=env).returncode == 0
    finally:
        os.unlink(rest.name)
    if ok:
        stamp.write_text(edition._digest(ROOT))
    else:
        print("uv could not install requirements.txt: installing with pip instead", flush=True)


def _ensure_bubblewrap() -> None:
    import shutil

    if sys.platform != "linux" or shutil.which("bwrap") or settings.SANDBOX.get() == "off":
        return
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if root and shutil.which("apt-get"):
        print("installing bubblewrap (the grading sandbox) with apt-get ...", flush=True)
        cmd = ["apt-get", "install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300", "bubblewrap"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        ok = subprocess.run(cmd, env=env, capture_output=True).returncode == 0
        if not ok:
            subprocess.run(["apt-get", "update", "-o", "DPkg::Lock::Timeout=300"], env=env, capture_output=True)
            ok = subprocess.run(cmd, env=env, capture_output=True).returncode == 0
        if ok and shutil.which("bwrap"):
            return
    print("note: bubblewrap is not installed and could not be installed here "
          f"({'apt-get failed' if root else 'not root'}): student code is graded without the sandbox "
          "(resource limits and a clean environment only; every submission is flagged). "
          "Install the Debian/Ubuntu package `bubblewrap` to grade a real class.", flush=True)


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
        "grade-ui": ["-m", "jupyterlab", "--ServerApp.default_url=/formgrader", *extra],
        "publish": ["-m", "labkit", "publish", *extra],
    }
    if task not in commands:
        print(f"unknown task {task!r}\n{__doc__}", file=sys.stderr)
        return 2
    setup()
    if task == "grade-ui":
        (ROOT / "exchange").mkdir(exist_ok=True)  # nbgrader_config.py: formgrader's exchange, inside the course
    return 0 if commands[task] is None else run(commands[task])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
