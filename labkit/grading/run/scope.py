"""Run every test cell in its own function scope while grading.

A hidden test computes what it compares against (expected gradients, a reference network, the
expected loss curve) and then calls the student's function. As plain notebook code those values
are notebook globals while the student's code runs: ``globals()["expected"]`` would read the answer.
:func:`wrap` turns the cell into the body of a function that is called at once::

    def __lab08_test_cell__():
        global X, results          # only names that later cells read, or that the cell reads first
        <the cell's statements>
    try:
        __lab08_test_cell__()
    finally:
        del __lab08_test_cell__

so everything else the test computes is a local of that call. Names that a later cell of the
notebook reads (a spy that the next test checks, data a demo reuses) stay globals, assigned as
before; so do names the cell reads before assigning them (``x = f(x)``), whose value comes from
the notebook anyway. :class:`~labkit.grading.run.execute.GuardedExecute` runs each test cell wrapped and
puts the original source back before the notebook is saved. A cell that Python cannot parse
(IPython magics) or that uses ``global``/``nonlocal``/``return``/``yield``/``await`` at its top
level runs as it is.
"""
from __future__ import annotations

import ast

FUNCTION = "__lab08_test_cell__"


class _Names(ast.NodeVisitor):
    """The first store and the first load of every name of a cell, in evaluation order (an
    assignment's value before its targets, a loop's iterable before its target), so that a name a
    loop body assigns and then reads is a local, and a name read before any assignment (``x = f(x)``,
    ``total += 1``) is not."""

    def __init__(self):
        self.first_store: dict[str, int] = {}
        self.first_load: dict[str, int] = {}
        self.pos = 0
        self.stmt = 0  # kept for callers; order is self.pos

    def _tick(self) -> int:
        self.pos += 1
        return self.pos

    def visit_Name(self, node):
        table = self.first_load if isinstance(node.ctx, ast.Load) else self.first_store
        table.setdefault(node.id, self._tick())

    def store(self, name: str) -> None:
        self.first_store.setdefault(name, self._tick())

    def visit_Assign(self, node):
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.target)

    def visit_AugAssign(self, node):
        if isinstance(node.target, ast.Name):  # `x += 1` reads x first
            self.first_load.setdefault(node.target.id, self._tick())
        self.visit(node.value)
        self.visit(node.target)

    def visit_For(self, node):
        self.visit(node.iter)
        self.visit(node.target)
        for stmt in node.body + node.orelse:
            self.visit(stmt)

    visit_AsyncFor = visit_For

    def visit_FunctionDef(self, node):
        self.store(node.name)
        for deco in node.decorator_list:
            self.visit(deco)
        for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
            self.visit(default)
        loads = _loads(node)  # a function body reads names when called: count them as read here
        for name in loads:
            self.first_load.setdefault(name, self._tick())

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        for name in _loads(node):
            self.first_load.setdefault(name, self._tick())

    def visit_ClassDef(self, node):
        self.store(node.name)
        for child in node.bases + node.keywords + node.decorator_list + node.body:
            self.visit(child)

    def visit_Import(self, node):
        for alias in node.names:
            self.store((alias.asname or alias.name).split(".")[0])

    visit_ImportFrom = visit_Import


def _loads(tree) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def loads(source: str) -> set[str]:
    """Every name a cell reads (anywhere, functions included); empty if it does not parse."""
    try:
        return _loads(ast.parse(source))
    except SyntaxError:
        return set()


def _unwrappable(tree: ast.Module) -> bool:
    for node in tree.body:
        for sub in ast.walk(node):
            if isinstance(sub, (ast.Global, ast.Nonlocal)) and sub in tree.body:
                return True
            if isinstance(sub, (ast.Yield, ast.YieldFrom, ast.Await)) and not _inside_function(tree, sub):
                return True
        if isinstance(node, (ast.Global, ast.Nonlocal, ast.Return)):
            return True
    return False


def _inside_function(tree: ast.Module, target) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if any(sub is target for sub in ast.walk(node)):
                return True
    return False


def wrap(source: str, later_loads: set[str]) -> str:
    """The cell as the body of a function called at once (see the module docstring); ``later_loads``
    are the names read by the cells after it. Returns ``source`` unchanged if it cannot be wrapped."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    if not tree.body or _unwrappable(tree):
        return source
    names = _Names()
    for i, stmt in enumerate(tree.body):
        names.stmt = i
        names.visit(stmt)
    keep_global = sorted(name for name, stored in names.first_store.items()
                         if name in later_loads or names.first_load.get(name, 1 << 30) < stored)
    body = ([ast.Global(names=keep_global)] if keep_global else []) + tree.body
    func = ast.FunctionDef(name=FUNCTION, args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[],
                                                               kw_defaults=[], defaults=[]),
                           body=body, decorator_list=[], returns=None)
    call = ast.Try(body=[ast.Expr(ast.Call(ast.Name(FUNCTION, ast.Load()), [], []))], handlers=[], orelse=[],
                   finalbody=[ast.Delete([ast.Name(FUNCTION, ast.Del())])])
    module = ast.fix_missing_locations(ast.Module(body=[func, call], type_ignores=[]))
    try:  # rebuilt from the tree: string literals (a YAML text, a docstring) keep their exact content
        wrapped = ast.unparse(module) + "\n"
        compile(wrapped, "<test cell>", "exec")
    except (SyntaxError, ValueError, TypeError):
        return source
    return wrapped


def later_loads_by_cell(sources: list[str]) -> list[set[str]]:
    """For each cell index, the names read by any cell after it."""
    out: list[set[str]] = [set() for _ in sources]
    seen: set[str] = set()
    for i in range(len(sources) - 1, -1, -1):
        out[i] = set(seen)
        seen |= loads(sources[i])
    return out


def trusted_later_loads(source_nb) -> dict[str, set[str]]:
    """For each test cell (by grade_id), the names that the cells after it read in the course's own
    notebook (``source/``: given code, reference answers, visible and hidden tests). Computed from
    the trusted notebook, never from a submission: a student cell that reads a hidden test's name
    must not make that name a notebook global while the test runs."""
    try:
        import nbformat

        cells = nbformat.read(source_nb, as_version=4).cells
    except Exception:
        return {}
    later = later_loads_by_cell([c.source if c.cell_type == "code" else "" for c in cells])
    return {c.metadata.get("nbgrader", {}).get("grade_id"): later[i] for i, c in enumerate(cells)
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}
