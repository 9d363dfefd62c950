"""The two ways to install the course agree, and the pins the course relies on are there."""
from __future__ import annotations

import re

import yaml

from labkit.grading.course import REPO


def _requirements() -> list[str]:
    lines = (REPO / "requirements.txt").read_text().splitlines()
    return [ln.split("#")[0].strip() for ln in lines if ln.split("#")[0].strip()]


def _conda_pip() -> list[str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return [p.strip() for p in pip]


def test_environment_yml_installs_exactly_the_requirements():
    assert _conda_pip() == _requirements() or sorted(_conda_pip()) == sorted(_requirements())


def test_environment_yml_uses_python_311():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]


def test_every_requirement_is_pinned():
    for req in _requirements():
        if req.startswith("-e"):
            continue
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][\w.+]*", req), f"not pinned: {req}"


def test_key_pins():
    reqs = {r.split("==")[0].lower(): r.split("==")[1] for r in _requirements() if "==" in r}
    assert reqs["torch"] == "2.13.0"
    assert reqs["tensorflow"].startswith("2.21") and reqs["keras"].startswith("3.")
    assert reqs["nbgrader"].startswith("0.9") and reqs["jupyterlab"].startswith("4.")
    for name in ("tensorboard", "nbval", "onnx", "onnxruntime", "pyyaml", "scikit-learn", "pytest"):
        assert name in reqs, name
    assert "-e ." in _requirements(), "labkit must be installed in editable mode"
