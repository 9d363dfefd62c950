"""Check a catalogue entry without the nbgrader round trip: the quick path the test suite uses for
the bulk of the wrong-submission catalogue.

``nbgrader autograde`` executes the release notebook with the student's answer cells and the hidden
tests restored, and a test cell loses its points when it raises. That is the *source* notebook with
its answer cells replaced by the student's code, so this module builds exactly that notebook and
executes it with nbclient (the executor nbgrader itself uses), in a scratch copy of the assignment
folder (supporting files such as ``config.yaml`` included). Two shortcuts make it cheap, and neither
changes a verdict on the cells it reports:

* execution stops after the last test cell the entry expects to fail (a correct alternative,
  ``expect: full``, runs every test cell and must pass them all);
* graded test cells the entry does not name are skipped (their code is replaced by ``pass``): test
  cells only check, they define nothing later non-test cells use (``test_cell_problems`` keeps that
  true); a test cell that reads an earlier test cell's globals runs with it (``test_dependencies``);
* every test cell runs in its own function scope, as in grading (:mod:`labkit.grading.run.scope`), so
  a test that only works with its values as notebook globals fails here too;
* demo cells (tagged ``demo`` in ``source/``: they only show a result, e.g. a training run and its
  plot) are skipped: they define nothing that a later cell reads (``demo_cell_problems`` keeps that
  true), and the correct alternatives, which run every test cell with the demos skipped, would fail
  if a test leaned on a demo's side effects;
* ``run_many`` runs several entries in one kernel (``%reset -f`` between them), which saves the kernel
  start and the framework imports; what is left after a reset is frozen out of the garbage collector
  (``gc.freeze``), so that the next entry's collections do not scan the frameworks' million objects.

The full nbgrader path (``labkit verify``, the demo, and the sampled entries graded in CI) remains
the reference; this path checks that every entry loses points where its docstring says.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from labkit import settings
from labkit.grading.course import KERNEL_ENV, Course
from labkit.grading.run import scope
from labkit.grading.samples import SampleSpec, _cells_by_id, solution_text


@dataclass
class FastResult:
    """Outcome of a quick check: the test cells executed and the error each raised (None: passed)."""

    spec: SampleSpec
    errors: dict[str, str | None]

    @property
    def problems(self) -> list[str]:
        if self.spec.expect_full:  # a correct alternative: every test cell must pass
            failed = {c: e for c, e in self.errors.items() if e is not None}
            return [f"must keep full marks; failed {sorted(failed)}: {failed}"] if failed else []
        missing = [c for c in self.spec.expect_fail if c not in self.errors]
        if missing:
            return [f"expect_fail names unknown test cells {missing}"]
        passed = [c for c in self.spec.expect_fail if self.errors[c] is None]
        return [f"should fail {passed}, which passed"] if passed else []


def spec_source_notebook(course: Course, spec: SampleSpec):
    """The source notebook (solutions and hidden tests) with the entry's answer cells applied."""
    nb = nbformat.read(course.notebook("source", spec.assignment), as_version=4)
    cells = _cells_by_id(nb)
    for grade_id, code in spec.cells.items():
        cell = cells.get(grade_id)
        if cell is None or not cell.metadata["nbgrader"].get("solution"):
            raise ValueError(f"{spec.path}: '{grade_id}' is not an answer cell of {spec.assignment}")
        code = code.rstrip("\n")
        if grade_id in spec.appended:
            code = solution_text(cell) + "\n\n\n" + code
        cell.source = code
    return nb


def _is_test(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


DEMO_TAG = "demo"


def _is_demo(cell) -> bool:
    return cell.cell_type == "code" and DEMO_TAG in cell.metadata.get("tags", [])


def trimmed(nb, keep: set[str]):
    """Drop everything after the last test cell in ``keep``; blank the other test cells (except
    the earlier test cells that a kept one reads from, see :func:`test_dependencies`)."""
    deps = test_dependencies(nb)
    keep = set(keep)
    stack = list(keep)
    while stack:
        for dep in deps.get(stack.pop(), set()) - keep:
            keep.add(dep)
            stack.append(dep)
    last = max((i for i, c in enumerate(nb.cells) if _is_test(c)
                and c.metadata["nbgrader"]["grade_id"] in keep), default=len(nb.cells) - 1)
    nb.cells = nb.cells[: last + 1]
    for cell in nb.cells:
        if _is_test(cell) and cell.metadata["nbgrader"]["grade_id"] not in keep or _is_demo(cell):
            cell.source = "pass"
    return nb


def run(course: Course, spec: SampleSpec, *, cell_timeout: int = settings.QUICK_CELL_TIMEOUT) -> FastResult:
    """Execute one entry's notebook (trimmed to its expected failures) in a fresh kernel."""
    return run_many(course, [spec], cell_timeout=cell_timeout)[0]


_RESET = """%reset -f
import os as _os, sys as _sys
_os.chdir({work!r})
if "keras" in _sys.modules:
    _sys.modules["keras"].backend.clear_session()
if "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
import gc as _gc
_gc.collect()
_gc.freeze()
del _os, _sys, _gc
"""


def run_many(course: Course, specs: list[SampleSpec], *,
             cell_timeout: int = settings.QUICK_CELL_TIMEOUT) -> list[FastResult]:
    """Execute several entries one after another in ONE kernel, ``%reset -f`` between them.

    Each entry still runs its whole (trimmed) notebook from the first cell, in its own scratch copy
    of the assignment folder; only the already imported modules carry over, which saves the kernel
    start and the framework imports (seconds per entry) — what Jupyter's *Run All* in an open
    kernel does too. The catalogue is the course's own code, so no entry tampers with the others.
    """
    from nbclient import NotebookClient

    results = []
    env = {**os.environ, **KERNEL_ENV}
    with tempfile.TemporaryDirectory(prefix="labkit-fast-") as tmp:
        client = NotebookClient(nbformat.v4.new_notebook(), timeout=cell_timeout, allow_errors=True,
                                kernel_name="python3", resources={"metadata": {"path": tmp}},
                                shutdown_kernel="immediate")
        with client.setup_kernel(env=env):
            for k, spec in enumerate(specs):
                nb = spec_source_notebook(course, spec)
                keep = ({c.metadata["nbgrader"]["grade_id"] for c in nb.cells if _is_test(c)} if spec.expect_full
                        else set(spec.expect_fail))
                nb = trimmed(nb, keep)
                work = Path(tmp) / f"{k}-{spec.student}"
                shutil.copytree(course.source / spec.assignment, work,
                                ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
                client.nb = nb
                reset = nbformat.v4.new_code_cell(_RESET.format(work=str(work)))
                client.execute_cell(reset, 0)
                failed = [o for o in reset.outputs if o.get("output_type") == "error"]
                if failed:
                    raise RuntimeError(f"could not reset the kernel: {failed[0].get('evalue')}")
                later = scope.trusted_later_loads(course.notebook("source", spec.assignment))
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type != "code":
                        continue
                    original = cell.source
                    if _is_test(cell) and original != "pass":  # in its own scope, as in grading
                        cell.source = scope.wrap(original, later.get(cell.metadata["nbgrader"]["grade_id"], set()))
                    client.execute_cell(cell, index)
                    cell.source = original
                results.append(FastResult(spec, _test_errors(nb)))
    return results


def _test_errors(nb) -> dict[str, str | None]:
    errors = {}
    for cell in nb.cells:
        if _is_test(cell) and cell.source != "pass":
            err = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
            errors[cell.metadata["nbgrader"]["grade_id"]] = (
                f"{err['ename']}: {err['evalue']}" if err else None)
    return errors


def _test_reads(nb):
    """Yield (cell, grade_id, names it reads that only an earlier test cell defines -> that cell)."""
    bound_by_tests, bound_elsewhere = {}, set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        names = _global_names(cell.source)
        if names is None:
            continue
        reads, binds = names
        gid = cell.metadata.get("nbgrader", {}).get("grade_id") or "(celda sin grade_id)"
        yield cell, gid, {n: bound_by_tests[n] for n in sorted((reads - binds) & set(bound_by_tests))}
        if _is_test(cell):
            bound_by_tests.update({n: gid for n in binds if n not in bound_elsewhere})
        else:
            bound_elsewhere |= binds
            for n in binds:
                bound_by_tests.pop(n, None)


def test_dependencies(nb) -> dict[str, set[str]]:
    """Test cell -> the earlier test cells it reads globals from (kept together when skipping)."""
    return {gid: set(found.values()) for cell, gid, found in _test_reads(nb) if _is_test(cell) and found}


def test_cell_problems(nb) -> list[str]:
    """Only test cells may read what test cells define: a global that a non-test cell reads must
    not be bound only by a test cell (else skipping that test cell could change later verdicts).
    A test cell may read an earlier test cell's globals; the quick path then runs both."""
    return [f"'{gid}' reads '{name}', which only test cell '{owner}' defines"
            for cell, gid, found in _test_reads(nb) if not _is_test(cell) for name, owner in found.items()]


def demo_cell_problems(nb) -> list[str]:
    """A demo cell (tag ``demo``) may be skipped only if it is no graded cell and no later code cell
    reads a global it binds (a name the later cell binds itself first does not count)."""
    problems, cells = [], [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for k, (i, cell) in enumerate(cells):
        if not _is_demo(cell):
            continue
        if cell.metadata.get("nbgrader", {}).get("grade") or cell.metadata.get("nbgrader", {}).get("solution"):
            problems.append(f"cell {i}: a graded or answer cell cannot be a demo")
            continue
        names = _global_names(cell.source)
        if names is None:
            problems.append(f"cell {i}: a demo cell must be plain Python")
            continue
        for j, later in cells[k + 1:]:
            found = _global_names(later.source)
            used = names[1] & (found[0] - found[1]) if found else names[1]  # unparsable: may read any
            if used:
                problems.append(f"cell {i} (demo) binds {sorted(used)}, which cell {j} reads")
    return problems


def _global_names(source: str) -> tuple[set[str], set[str]] | None:
    """(globals the cell reads at any depth, globals it binds at module level), via ``symtable``."""
    import symtable

    code = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines())
    try:
        top = symtable.symtable(code, "<cell>", "exec")
    except SyntaxError:
        return None
    reads, binds = set(), set()
    for sym in top.get_symbols():
        if sym.is_referenced():
            reads.add(sym.get_name())
        if sym.is_assigned() or sym.is_imported() or sym.is_namespace():
            binds.add(sym.get_name())
    stack = list(top.get_children())
    while stack:
        table = stack.pop()
        stack.extend(table.get_children())
        for sym in table.get_symbols():
            if sym.is_referenced() and sym.is_global():
                reads.add(sym.get_name())
    return reads, binds


def run_guarded(course: Course, spec: SampleSpec, keep: set[str] | None = None) -> FastResult:
    """Execute one entry's notebook the way grading does — :class:`GuardedExecute`: the sandboxed
    kernel, each test cell in its own scope, the integrity probes and their flags — but trimmed like
    the quick path (to the test cells in ``keep``; by default the entry's ``expect_fail``). The
    adversarial catalogue runs here: an attack's code is hostile, so it never shares a kernel.

    ``course`` must have ``release/`` (companion files) and ``source/``; flags go to its
    ``reports/flags.jsonl`` under ``spec.student``.
    """
    from labkit.grading.run.execute import GuardedExecute

    nb = spec_source_notebook(course, spec)
    if keep is None:
        keep = ({c.metadata["nbgrader"]["grade_id"] for c in nb.cells if _is_test(c)} if spec.expect_full
                else set(spec.expect_fail))
    nb = trimmed(nb, keep)
    executor = GuardedExecute(config=course.config())
    resources = {"nbgrader": {"assignment": spec.assignment, "student": spec.student},
                 "metadata": {"path": str(course.root / "release" / spec.assignment)}}
    nb, _ = executor.preprocess(nb, resources)
    return FastResult(spec, _test_errors(nb))
