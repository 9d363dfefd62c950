"""The student edition: what students receive from this (private) instructor repository.

``labkit publish DIR [--zip]`` writes a folder that can be pushed as the course's public repository
or handed out as a zip. It holds the release notebooks with their companion files, the ungraded
notebooks of ``notebooks/``, the notebook-facing part of ``labkit`` (no grading tooling), the pinned
requirements students need, a Spanish README and a ``tasks.py`` whose two commands set up the
environment and open JupyterLab — and nothing else: no ``source/``, no catalogue, no grading code.

Before it writes anything it checks that ``release/`` is in sync with ``source/``; after writing it
scans every file of the edition for every non-trivial line of every solution and hidden test
(:func:`secret_lines`, :func:`leaks`) and deletes the edition if one is found.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from labkit.grading.course import REPO, Course, GradingError

EDITION_FILES = Path(__file__).resolve().parent / "edition"
# modules the notebooks import (labkit.grading and labkit.__main__ are instructor tooling)
STUDENT_MODULES = ("__init__.py", "settings.py", "quiet.py", "seed.py", "threads.py", "data.py", "plots.py",
                   "devices.py", "pretrained.py", "bridge.py", "testing.py", "testing_torch.py", "testing_tf.py",
                   "parallel.py")
# The hidden tests' spies, fakes and reference computations live in these modules (issue 14), next to
# the few helpers that visible tests and demos use. The edition ships each reduced to what its own
# notebooks use (and what that needs): students never read the hidden tests' machinery.
REDUCED_MODULES = {"testing_torch.py": "labkit.testing_torch", "testing_tf.py": "labkit.testing_tf"}
# requirements only the instructor's tooling and tests need
INSTRUCTOR_ONLY = {"psycopg2-binary", "pytest", "pytest-xdist", "pytest-timeout", "nbval", "playwright",
                   "dask", "distributed"}
SKIP = {".ipynb_checkpoints", "__pycache__"}
MIN_SECRET_CHARS = 16  # shorter lines (`return out`, `model.eval()`) are too generic to call leaks
# Generic idioms that labkit's own public helpers contain and that some solution or hidden test
# also happens to use; each reveals nothing about an answer or a test. Reviewed one by one: keep
# this list short, and never add a line that is specific to an exercise.
GENERIC_LINES = frozenset({
    "random.seed(seed)", "np.random.seed(seed)", "torch.manual_seed(seed)",  # labkit.seed_everything
    "rng = np.random.default_rng(seed)", "keras.Input(shape=(64,)),", "ax.grid(alpha=0.3)",
    "except ValueError:", "raise AssertionError(", "kwargs = kwargs or {}",
    'name = getattr(func, "__name__", "")', "out = func(*args, **kwargs)",
    "def __torch_function__(cls, func, types, args=(), kwargs=None):",
    "with torch._C.DisableTorchFunctionSubclass():",
})

_REGIONS = (("### BEGIN SOLUTION", "### END SOLUTION"), ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"))


def _norm(line: str) -> str:
    return " ".join(line.split())


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8")).get("cells", [])


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _regions(text: str) -> dict[str | None, list[str]]:
    """Lines by region: ``"### BEGIN SOLUTION"``, ``"### BEGIN HIDDEN TESTS"``, ``None`` (outside)."""
    out: dict[str | None, list[str]] = {None: [], _REGIONS[0][0]: [], _REGIONS[1][0]: []}
    current = None
    for line in text.splitlines():
        stripped = line.strip()
        begin = next((b for b, _ in _REGIONS if stripped.startswith(b)), None)
        if begin:
            current = begin
            continue
        if any(stripped.startswith(end) for _, end in _REGIONS):
            current = None
            continue
        out[current].append(line)
    return out


def secret_lines(course: Course, *, solutions: bool = True, hidden: bool = True) -> set[str]:
    """Non-trivial lines of every solution (code and model answers) and hidden test in ``source/``.

    A line is trivial when it is short (:data:`MIN_SECRET_CHARS`), when the course shows it in
    public anyway (the statement, given code, visible tests and demos of the source notebooks, and
    the ungraded notebooks), or when it is one of the reviewed :data:`GENERIC_LINES`.
    ``solutions`` / ``hidden`` choose which regions count (feedback holds the student's own answer,
    so the feedback scan looks for hidden tests only).
    """
    wanted = {b: on for b, on in (("### BEGIN SOLUTION", solutions), ("### BEGIN HIDDEN TESTS", hidden))}
    secret, public = set(), set()
    for a in course.assignments():
        for cell in _cells(course.notebook("source", a)):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            text = _source(cell)
            if cell.get("cell_type") == "markdown" and meta.get("solution"):
                if solutions:
                    secret.update(_norm(x) for x in text.splitlines())
                continue
            for begin, lines in _regions(text).items():
                if begin is None:
                    public.update(_norm(x) for x in lines)
                elif wanted[begin]:
                    secret.update(_norm(x) for x in lines)
    for nb in sorted((course.root / "notebooks").glob("*.ipynb")):
        for cell in _cells(nb):
            public.update(_norm(x) for x in _source(cell).splitlines())
    return {s for s in secret - public - GENERIC_LINES if len(s) >= MIN_SECRET_CHARS}


def _text_lines(path: Path) -> list[str]:
    if path.suffix == ".html":
        return html_text_lines(path) + path.read_text(encoding="utf-8", errors="replace").splitlines()
    if path.suffix == ".ipynb":
        lines = []
        for cell in _cells(path):
            lines += _source(cell).splitlines()
            for out in cell.get("outputs", []):
                lines += str(out).splitlines()
        return lines
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (UnicodeDecodeError, OSError):
        return []


def html_text_lines(path: Path) -> list[str]:
    """The text a browser shows for an HTML file (tags dropped, entities decoded), line by line."""
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("style", "script")

        def handle_endtag(self, tag):
            self.skip -= tag in ("style", "script") and self.skip > 0

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = _Text()
    parser.feed(Path(path).read_text(encoding="utf-8", errors="replace"))
    return "".join(parser.parts).splitlines()


def leaks(folder: Path, secrets: set[str]) -> list[str]:
    """``"<file>: <line>"`` for every secret line found in any file under ``folder``."""
    found = []
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        for line in _text_lines(path):
            if _norm(line) in secrets:
                found.append(f"{path.relative_to(folder)}: {_norm(line)[:100]}")
    return found


def student_requirements(text: str) -> str:
    """The course's pinned requirements without what only the instructor's tooling needs."""
    keep = []
    for req in _requirement_lines(text):
        name = re.split(r"[=<>\[ ]", req, maxsplit=1)[0].lower()
        if name not in INSTRUCTOR_ONLY:
            keep.append(req)
    head = ("# Laboratorio 08 — paquetes del curso, con versión fija (Python 3.11). Desde esta carpeta:\n"
            "#     python3 tasks.py setup        (o: pip install -r requirements.txt)\n"
            "# Con GPU: instala antes la versión CUDA de torch 2.13.0; pip la conserva.\n")
    return head + "\n".join(keep) + "\n"


def _requirement_lines(text: str) -> list[str]:
    return [ln.split("#")[0].strip() for ln in text.splitlines() if ln.split("#")[0].strip()]


def environment_yml(requirements: str) -> str:
    pins = "\n".join(f"      - {r}" for r in _requirement_lines(requirements))
    return ("# Entorno conda del Laboratorio 08 (los mismos paquetes que requirements.txt):\n"
            "#     conda env create -f environment.yml && conda activate lab08\n"
            "name: lab08\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n"
            + pins + "\n")


PYPROJECT = """[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "labkit"
version = "{version}"
description = "Utilidades de los notebooks del Laboratorio 08 (PyTorch y TensorFlow/Keras)"
requires-python = ">=3.11"

[tool.setuptools.packages.find]
include = ["labkit"]
"""


def used_names(folder: Path, module: str) -> set[str]:
    """Names of ``module`` that the notebooks under ``folder`` use: ``from module import a, b`` and
    ``module.a`` / ``<alias>.a`` attribute reads (code cells only; cells that do not parse count by
    their import lines)."""
    import ast

    short = module.rsplit(".", 1)[-1]
    names: set[str] = set()
    for nb in sorted(folder.rglob("*.ipynb")):
        for cell in _cells(nb):
            if cell.get("cell_type") != "code":
                continue
            code = "\n".join(ln for ln in _source(cell).splitlines() if not ln.lstrip().startswith(("%", "!")))
            try:
                tree = ast.parse(code)
            except SyntaxError:
                continue
            aliases = {module, short}
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == module:
                    names |= {a.name for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module == "labkit":
                    aliases |= {a.asname or a.name for a in node.names if a.name == short}
                elif isinstance(node, ast.Import):
                    aliases |= {a.asname for a in node.names if a.name == module and a.asname}
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and ast.unparse(node.value) in aliases:
                    names.add(node.attr)
    return names


def reduced_module(source: str, keep: set[str]) -> str:
    """``source`` with only the top-level definitions that ``keep`` names, and what they use (at any
    depth), in their original order and text; imports, the docstring and the ``from __future__``
    line stay. A statement that binds nothing kept (a helper of the hidden tests) is dropped."""
    import ast

    tree = ast.parse(source)
    binds: dict[int, set[str]] = {}
    for i, node in enumerate(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            binds[i] = {node.name}
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            binds[i] = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    reads = {i: {n.id for n in ast.walk(tree.body[i]) if isinstance(n, ast.Name)} for i in binds}
    wanted, todo = set(), set(keep)
    while todo:
        name = todo.pop()
        wanted.add(name)
        for i, names in binds.items():
            if name in names:
                todo |= reads[i] - wanted
    lines = source.splitlines(keepends=True)
    text, last = [], 0
    for i, node in enumerate(tree.body):
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        if i in binds and not binds[i] & wanted:
            text.append("".join(lines[last:start]))
            last = node.end_lineno
    text.append("".join(lines[last:]))
    return re.sub(r"\n{4,}", "\n\n\n", "".join(text))


def _copy_tree(course: Course, src: Path, dst: Path) -> None:
    ignore = set(course.config().CourseDirectory.ignore) | SKIP  # nbgrader_config.py's list
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(*ignore))


def build(course: Course, dest: str | Path, *, make_zip: bool = False) -> Path:
    """Write the student edition into ``dest`` (replaced if it is an earlier edition); return the
    folder, or the ``.zip`` next to it with ``make_zip``."""
    from labkit import __version__
    from labkit.grading.check import notebooks as checks

    dest = Path(dest).resolve()
    drift = checks.release_drift(course)
    if drift:
        raise GradingError("release/ is not in sync with source/ (run `labkit release`): " + "; ".join(drift[:3]))
    if dest.exists():
        if not (dest / ".lab08-edition").exists() and any(dest.iterdir()):
            raise GradingError(f"{dest} exists and is not a student edition: choose an empty or new folder")
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for a in course.assignments():
        _copy_tree(course, course.release / a, dest / "release" / a)
    (dest / "notebooks").mkdir()
    for nb in sorted((course.root / "notebooks").glob("*.ipynb")):
        shutil.copy2(nb, dest / "notebooks" / nb.name)
    (dest / "labkit").mkdir()
    for name in STUDENT_MODULES:
        if name in REDUCED_MODULES:
            used = used_names(dest, REDUCED_MODULES[name])
            (dest / "labkit" / name).write_text(reduced_module((REPO / "labkit" / name).read_text(), used))
        else:
            shutil.copy2(REPO / "labkit" / name, dest / "labkit" / name)
    reqs = student_requirements((course.root / "requirements.txt").read_text())
    (dest / "requirements.txt").write_text(reqs)
    (dest / "environment.yml").write_text(environment_yml(reqs))
    (dest / "pyproject.toml").write_text(PYPROJECT.format(version=__version__))
    shutil.copy2(EDITION_FILES / "README.md", dest / "README.md")
    shutil.copy2(EDITION_FILES / "tasks.py", dest / "tasks.py")
    shutil.copy2(EDITION_FILES / "gitignore", dest / ".gitignore")
    # JupyterLab for students: nbgrader's Validate stays, its instructor panels (Formgrader, Create
    # Assignment, course and assignment lists) are off (read through JUPYTER_CONFIG_PATH by tasks.py lab)
    shutil.copytree(EDITION_FILES / "jupyter", dest / "jupyter")
    (dest / ".lab08-edition").write_text("student edition of Lab 08, written by `labkit publish`\n")
    found = leaks(dest, secret_lines(course))
    if found:
        shutil.rmtree(dest)
        raise GradingError(f"the edition would leak {len(found)} line(s) of solutions or hidden tests: "
                           + "; ".join(found[:5]))
    if make_zip:
        archive = shutil.make_archive(str(dest), "zip", root_dir=dest.parent, base_dir=dest.name)
        return Path(archive)
    return dest
