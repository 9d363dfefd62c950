"""The grading package's layout stays readable in one pass (issue 16): no import cycles, no long
functions, every ``LAB08_*`` variable and timeout in ``labkit.settings``, one flag type.

Pure AST and text: nothing here imports ``labkit.grading`` except the stdlib-only modules
``labkit.settings`` and ``labkit.grading.run.integrity``.
"""
from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LABKIT = ROOT / "labkit"
GRADING = LABKIT / "grading"
SETTINGS = LABKIT / "settings.py"
FLAGS = GRADING / "flags.py"
MAX_FUNCTION_LINES = 60
# files outside labkit/ that read settings too
CONFIG_FILES = [ROOT / "tasks.py", ROOT / "nbgrader_config.py"]
VAR_NAME = re.compile(r"LAB08_[A-Z0-9_]+")
TIMEOUT_NAME = re.compile(r"(?i)timeout|deadline|allowance|poll|^wait$")


def _py_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in _py_files(LABKIT)}


def _resolve(name: str) -> str | None:
    """The labkit module that ``name`` (a module, or a module's attribute) refers to."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(path: Path) -> set[str]:
    """Every labkit module ``path`` imports, at any depth (function-local imports included)."""
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + [base]).strip(".")
            names = [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name) if name.startswith("labkit") else None
            if target and target != here:
                found.add(target)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _stage(module: str) -> str:
    """``labkit.grading.run.engine`` -> ``labkit.grading.run``; top-level modules stand for themselves."""
    parts = module.split(".")
    if module.startswith("labkit.grading.") and (GRADING / parts[2]).is_dir():
        return ".".join(parts[:3])
    return module


GRAPH = {m: _imports(p) for m, p in MODULES.items()}


def test_no_import_cycles_between_grading_modules():
    cycles = _cycles({m: deps for m, deps in GRAPH.items() if m.startswith("labkit.grading")})
    assert not cycles, f"import cycles (function-local imports count): {cycles}"


def test_no_import_cycles_between_stages():
    """collect, check, record, run, report (and the tools on top) depend on each other one way only."""
    stages: dict[str, set[str]] = {}
    for module, deps in GRAPH.items():
        if module.startswith("labkit.grading"):
            stages.setdefault(_stage(module), set()).update(_stage(d) for d in deps if _stage(d) != _stage(module))
    assert not _cycles(stages), f"stages that import each other: {_cycles(stages)}"


def test_package_init_files_import_nothing():
    """A stage's ``__init__`` is its docstring only, so importing one module never loads a stage."""
    for path in _py_files(GRADING):
        if path.name == "__init__.py":
            body = [n for n in _tree(path).body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
            assert not body, f"{path.relative_to(ROOT)} does more than document its stage"


def test_no_function_in_grading_is_longer_than_60_lines():
    long = []
    for path in _py_files(GRADING):
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert not long, "split these functions: " + "; ".join(long)


def _strings(path: Path):
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node


def test_only_the_settings_module_names_a_lab08_variable():
    """A variable is read as ``settings.X.get()`` (or its name taken from ``settings.X.name``): no
    other module spells a ``LAB08_*`` name as a string, so none can read one on its own."""
    found = [f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}"
             for path in [*_py_files(LABKIT), *CONFIG_FILES] if path != SETTINGS
             for node in _strings(path) if VAR_NAME.fullmatch(node.value)]
    assert not found, "read these through labkit.settings: " + "; ".join(found)


def test_every_lab08_variable_mentioned_is_defined_in_settings():
    from labkit import settings

    defined = {v.name for v in settings.VARIABLES}
    for path in [*_py_files(LABKIT), *CONFIG_FILES, ROOT / "README.md", ROOT / ".ci" / "run"]:
        unknown = set(VAR_NAME.findall(path.read_text(encoding="utf-8"))) - defined
        assert not unknown, f"{path.relative_to(ROOT)} mentions {sorted(unknown)}, not in labkit/settings.py"


def _numeric(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)


def test_no_timeout_is_written_down_outside_settings():
    found = []
    for path in [*_py_files(LABKIT), *CONFIG_FILES]:
        if path == SETTINGS:
            continue
        for node in ast.walk(_tree(path)):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.keyword) and node.arg and TIMEOUT_NAME.search(node.arg) and _numeric(node.value):
                found.append(f"{where} {node.arg}={node.value.value}")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                args = node.args.args[len(node.args.args) - len(node.args.defaults):] + node.args.kwonlyargs
                defaults = node.args.defaults + [d for d in node.args.kw_defaults]
                found += [f"{where} {node.name}({a.arg}={d.value})" for a, d in zip(args, defaults)
                          if d is not None and TIMEOUT_NAME.search(a.arg) and _numeric(d)]
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and _numeric(node.value):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id if isinstance(t, ast.Name) else t.attr for t in targets
                         if isinstance(t, (ast.Name, ast.Attribute))]
                found += [f"{where} {n} = {node.value.value}" for n in names if TIMEOUT_NAME.search(n)]
        found += [f"{path.relative_to(ROOT)}:{n.lineno} {n.value!r}" for n in _strings(path)
                  if re.search(r"timeout=\d", n.value)]
    assert not found, "timeouts belong in labkit/settings.py: " + "; ".join(found)


def test_one_flag_type():
    """``labkit.grading.flags.Flag`` is the only representation of a finding: no other flag class,
    no function that builds one, no dict literal shaped like one."""
    found = []
    for path in _py_files(LABKIT):
        tree = _tree(path)
        found += [f"{path.relative_to(ROOT)}:{n.lineno} def {n.name}" for n in tree.body
                  if isinstance(n, ast.FunctionDef) and n.name in {"flag", "make_flag", "new_flag"}]
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.ClassDef) and node.name.lower().endswith("flag") and path != FLAGS:
                found.append(f"{where} class {node.name}")
            elif isinstance(node, ast.Dict) and path != FLAGS:
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if {"kind", "message"} <= keys:
                    found.append(f"{where} a dict with 'kind' and 'message'")
    classes = [n.name for n in ast.walk(_tree(FLAGS)) if isinstance(n, ast.ClassDef)]
    assert classes == ["Flag"] and not found, f"{classes}; " + "; ".join(found)


def test_readme_settings_table_is_the_settings_module():
    from labkit import settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- settings:begin -->\n(.*?)\n<!-- settings:end -->", readme, re.S)
    assert match, "README.md: no <!-- settings:begin --> ... <!-- settings:end --> block"
    assert match.group(1).strip() == settings.markdown_table(), \
        "README's settings table is out of date: paste `python -m labkit.settings` between the markers"


def _dotted_names(text: str) -> set[str]:
    return set(re.findall(r"\blabkit(?:\.[A-Za-z_]\w*)+", text))


@pytest.mark.parametrize("path", [*_py_files(LABKIT), *CONFIG_FILES, ROOT / "README.md"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_labkit_name_in_code_and_docs_exists(path):
    """Dotted names (``python -m labkit.grading.run.worker``, nbgrader_config's preprocessors, the
    kernel-side ``__import__`` of the integrity probe, docs) and ``labkit/...py`` paths point at a
    module that exists, or at a name defined at the top of one."""
    text = path.read_text(encoding="utf-8")
    stale = []
    for name in sorted(_dotted_names(text)):
        module = _resolve(name)
        rest = name[len(module) + 1:].split(".")[0] if module and name != module else ""
        if module is None or (rest and rest not in _top_level_names(MODULES[module])):
            stale.append(name)
    stale += [p for p in sorted(set(re.findall(r"\blabkit/[\w/]+\.py\b", text))) if not (ROOT / p).is_file()]
    assert not stale, f"{path.relative_to(ROOT)} names what does not exist: {stale}"


def _top_level_names(path: Path) -> set[str]:
    names = set()
    for node in _tree(path).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    if path.name == "__init__.py":
        names |= {p.stem for p in path.parent.glob("*.py")} | {p.name for p in path.parent.iterdir() if p.is_dir()}
    return names


def test_the_integrity_probe_trusts_labkit_wherever_it_lives():
    """``integrity._trusted_prefixes`` climbs from its own file to the labkit package: a move of the
    module must move that count too (else every labkit helper looks like notebook code)."""
    import labkit
    from labkit.grading.run import integrity

    package = os.path.realpath(os.path.dirname(labkit.__file__)) + os.sep
    assert package in integrity._trusted_prefixes()
