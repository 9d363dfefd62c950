#!/usr/bin/env python3
"""Laboratorio 08 — tareas del estudiante. Solo necesita Python 3.11; crea o reutiliza `.venv/`.

    python3 tasks.py setup    crea el entorno virtual e instala requirements.txt (la primera vez, unos minutos)
    python3 tasks.py lab      abre JupyterLab con el entorno del curso (instala antes si hace falta)
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

from labkit import settings  # the edition's own labkit, next to this file (stdlib only)

ROOT = Path(__file__).resolve().parent
VENV = Path(settings.VENV.get() or ROOT / ".venv")
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


MESSAGES = {
    "es": {"python": "aviso: el curso está fijado para Python 3.11 y este es {}",
           "venv": "creando el entorno virtual {} ...",
           "install": "instalando requirements.txt (la primera vez tarda unos minutos) ..."},
    "en": {"python": "warning: the course is pinned for Python 3.11; this is {}",
           "venv": "creating the virtual environment {} ...",
           "install": "installing requirements.txt (first run: a few minutes) ..."},
}


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        h.update((root / name).read_bytes())
    return h.hexdigest()


def setup(root: Path = ROOT, venv_dir: Path = VENV, lang: str = "es") -> None:
    """Crea el entorno si no existe e instala requirements.txt cuando cambió desde la última vez
    (Create the environment if needed; install requirements.txt when it changed since last time.)"""
    say = MESSAGES[lang]
    py = venv_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    stamp = venv_dir / ".lab08-requirements.sha256"
    if sys.version_info[:2] != (3, 11):
        print(say["python"].format(sys.version.split()[0]))
    if not py.exists():
        print(say["venv"].format(venv_dir), flush=True)
        venv.EnvBuilder(with_pip=True).create(venv_dir)
    if stamp.exists() and stamp.read_text() == _digest(root):
        return
    print(say["install"], flush=True)
    pip = [str(py), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True, cwd=root)
    # pip compiles the bytecode of its 17,000 files one after another; compileall does it on every core
    subprocess.run(pip + ["--no-compile", "-r", "requirements.txt"], check=True, cwd=root)
    compile_all = ("import compileall, sysconfig; "
                   "compileall.compile_dir(sysconfig.get_paths()['purelib'], quiet=2, workers=0)")
    subprocess.run([str(py), "-c", compile_all], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stamp.write_text(_digest(root))


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    task, extra = argv[0], argv[1:]
    if task not in {"setup", "lab"}:
        print(f"tarea desconocida {task!r}\n{__doc__}", file=sys.stderr)
        return 2
    setup()
    if task == "lab":
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "TF_CPP_MIN_LOG_LEVEL": "3",
               # jupyter/: Validate stays, nbgrader's instructor panels are hidden
               "JUPYTER_CONFIG_PATH": os.pathsep.join(filter(None, [str(ROOT / "jupyter"),
                                                                    os.environ.get("JUPYTER_CONFIG_PATH")]))}
        return subprocess.run([str(PY), "-m", "jupyterlab", *extra], cwd=ROOT, env=env).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
