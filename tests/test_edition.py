"""The student edition (``labkit publish``): nothing of the answers in it, and it works on its own.

Issue 13: students get the edition, never this repository. These tests build it, prove that no
line of any solution or hidden test is in any of its files, and run every release notebook *from
the edition* (its own ``labkit`` first on the path, its own working folders) twice: with the
blank stubs every visible test fails with the stub's error and none prints ✔; with the reference
answers pasted in every visible test passes.
"""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import nbformat
import pytest

from labkit.grading import publish, samples
from labkit.grading.course import Course

ASSIGNMENTS = Course().assignments()


@pytest.fixture(scope="session")
def edition(tmp_path_factory) -> Path:
    out = publish.build(Course(), tmp_path_factory.mktemp("edition") / "lab08", make_zip=True)
    assert out.suffix == ".zip"
    return out.with_suffix("")


def test_the_edition_holds_what_students_need_and_nothing_else(edition):
    top = {p.name for p in edition.iterdir()}
    assert top == {"README.md", "tasks.py", "requirements.txt", "environment.yml", "pyproject.toml",
                   ".gitignore", ".lab08-edition", "release", "notebooks", "labkit", "jupyter"}
    assert sorted(p.name for p in (edition / "release").iterdir()) == ASSIGNMENTS
    for a in ASSIGNMENTS:  # companion files (part7's config.yaml) ship as they are in release/
        for companion in (p for p in (Course().release / a).iterdir() if p.suffix != ".ipynb" and p.is_file()):
            assert (edition / "release" / a / companion.name).read_bytes() == companion.read_bytes(), companion
    for a in ASSIGNMENTS:
        assert (edition / "release" / a / f"{a}.ipynb").is_file()
    assert (edition / "release" / "part7_project" / "config.yaml").is_file()  # companion files travel
    assert sorted(p.name for p in (edition / "labkit").iterdir()) == sorted(publish.STUDENT_MODULES)
    reqs = (edition / "requirements.txt").read_text()
    assert "torch==2.13.0" in reqs and "nbgrader==" in reqs and "psycopg2" not in reqs and "pytest" not in reqs
    readme = (edition / "README.md").read_text()
    assert "python3 tasks.py setup" in readme and "python3 tasks.py lab" in readme
    with zipfile.ZipFile(edition.with_suffix(".zip")) as zf:
        names = zf.namelist()
    assert f"{edition.name}/release/part0_numpy_bridge/part0_numpy_bridge.ipynb" in names
    assert not any("source/" in n or "tests/" in n or "grading" in n for n in names)


def test_no_line_of_any_solution_or_hidden_test_is_in_the_edition(edition):
    secrets = publish.secret_lines(Course())
    assert len(secrets) > 1000  # the scan has something to look for
    assert publish.leaks(edition, secrets) == []
    # and the scan does find a leak where there is one
    planted = edition.parent / "planted"
    planted.mkdir(exist_ok=True)
    line = sorted(secrets)[len(secrets) // 2]
    (planted / "notas.py").write_text(f"# apuntes\n    {line}\n")
    assert publish.leaks(planted, secrets) == [f"notas.py: {' '.join(line.split())[:100]}"]


def test_publish_refuses_to_overwrite_a_folder_that_is_not_an_edition(tmp_path):
    from labkit.grading.course import GradingError

    (tmp_path / "mine.txt").write_text("x")
    with pytest.raises(GradingError):
        publish.build(Course(), tmp_path)
    assert (tmp_path / "mine.txt").exists()


def test_the_edition_requirements_are_the_course_pins(edition):
    """Same pins as the course environment (so the course venv can stand in for a fresh one)."""
    course = {ln.strip() for ln in (Course().root / "requirements.txt").read_text().splitlines()
              if ln.strip() and not ln.startswith("#")}
    mine = {ln.strip() for ln in (edition / "requirements.txt").read_text().splitlines()
            if ln.strip() and not ln.startswith("#")}
    assert mine <= course


def _run_all(edition: Path, notebooks: list[tuple[str, nbformat.NotebookNode]]) -> list[nbformat.NotebookNode]:
    """Execute the notebooks from the edition one after another in ONE kernel (``%reset -f`` and a
    change to the assignment's folder between them, as a student's *Run All* in an open kernel):
    the edition's own ``labkit`` first on the path; one kernel start and one import of the
    frameworks for all of them."""
    from nbclient import NotebookClient

    from labkit.grading.fastcheck import _RESET

    env = {**os.environ, "PYTHONPATH": str(edition)}  # the edition's labkit, not this repository's
    client = NotebookClient(nbformat.v4.new_notebook(), timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(edition)}}, shutdown_kernel="immediate")
    done = []
    with client.setup_kernel(env=env):
        for assignment, nb in notebooks:
            nb.cells.append(nbformat.v4.new_code_cell("import labkit as _lk\nprint('LABKIT', _lk.__file__)"))
            client.nb = nb
            reset = nbformat.v4.new_code_cell(_RESET.format(work=str(edition / "release" / assignment)))
            client.execute_cell(reset, 0)
            assert not [o for o in reset.outputs if o.get("output_type") == "error"], reset.outputs
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)
            where = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
            assert f"LABKIT {edition / 'labkit' / '__init__.py'}" in where, where
            done.append(nb)
    return done


@pytest.fixture(scope="session")
def edition_runs(edition, tmp_path_factory):
    """{("blank" | "reference", assignment): executed notebook} — every blank release notebook and
    the reference answers of :data:`REFERENCE_RUNS`, run from the edition in one kernel (a copy of it:
    running notebooks leaves caches behind, and the other tests check the edition as shipped)."""
    import shutil

    edition = Path(shutil.copytree(edition, tmp_path_factory.mktemp("edition-run") / "lab08"))
    jobs = [(("blank", a), nbformat.read(edition / "release" / a / f"{a}.ipynb", 4)) for a in ASSIGNMENTS]
    jobs += [(("reference", a), samples.reference_notebook(Course(), a)) for a in REFERENCE_RUNS]
    executed = _run_all(edition, [(key[1], nb) for key, nb in jobs])
    return {key: nb for (key, _), nb in zip(jobs, executed)}


def _tests(nb):
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            yield meta["grade_id"], cell


@pytest.mark.notebooks
@pytest.mark.xdist_group("edition-runs")
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_stubs_fail_every_visible_test_with_the_stub_error(edition_runs, assignment):
    nb = edition_runs[("blank", assignment)]
    problems = []
    for gid, cell in _tests(nb):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        if "✔" in text or not errors:
            problems.append(f"{gid}: passes on the blank stub")
        elif errors[0].ename != "NotImplementedError" and "NotImplementedError" not in errors[0].evalue:
            problems.append(f"{gid}: {errors[0].ename}: {errors[0].evalue[:120]}")
    assert not problems, problems


# CI runs the reference answers from the edition for part0 (the other notebooks are executed with
# their reference answers by the nbgrader reference grading, with the same labkit modules, and their
# visible tests' names are checked against the edition's reduced helper modules below; the companion
# files are checked to be shipped as they are). LAB08_FULL_CATALOGUE=1 runs all eight.
REFERENCE_RUNS = ASSIGNMENTS if os.environ.get("LAB08_FULL_CATALOGUE") == "1" else ["part0_numpy_bridge"]


def test_the_edition_labkit_is_the_course_labkit(edition):
    for name in publish.STUDENT_MODULES:
        if name not in publish.REDUCED_MODULES:
            assert (edition / "labkit" / name).read_bytes() == (Course().root / "labkit" / name).read_bytes(), name


def test_the_edition_ships_no_hidden_test_machinery(edition):
    """Issue 14: the hidden tests' spies and reference computations (labkit.testing_torch,
    labkit.testing_tf) stay with the instructor; the edition's copies hold only what its notebooks
    use, and every one of those names is there."""
    import ast

    for name, module in publish.REDUCED_MODULES.items():
        full = (Course().root / "labkit" / name).read_text()
        shipped = (edition / "labkit" / name).read_text()
        defined = {n.name for n in ast.parse(shipped).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        assert publish.used_names(edition, module) <= defined | {"labkit"}, name
        every = {n.name for n in ast.parse(full).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        assert len(defined) < len(every) / 2, (name, sorted(defined))
    hidden_only = {"reference_epoch", "mode_spy", "run_epoch_probe", "sgd_step_reference", "check_torch_untouched"}
    shipped = "".join((edition / "labkit" / n).read_text() for n in publish.REDUCED_MODULES)
    assert not [h for h in hidden_only if f"def {h}(" in shipped]


def test_a_reduced_module_keeps_what_its_names_need():
    source = ('"""doc."""\nimport os\n\nA = 1\n\n\ndef _helper():\n    return A\n\n\n'
              'def public():\n    return _helper()\n\n\ndef hidden():\n    return os.sep\n')
    reduced = publish.reduced_module(source, {"public"})
    namespace: dict = {}
    exec(compile(reduced, "<reduced>", "exec"), namespace)
    assert namespace["public"]() == 1 and "hidden" not in namespace and namespace["__doc__"] == "doc."


@pytest.mark.notebooks
@pytest.mark.xdist_group("edition-runs")
@pytest.mark.parametrize("assignment", REFERENCE_RUNS)
def test_reference_answers_pass_every_visible_test_in_the_edition(edition_runs, assignment):
    nb = edition_runs[("reference", assignment)]
    errors = [(i, o.ename, o.evalue[:200]) for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    assert all("✔" in "".join(o.get("text", "") for o in c.outputs) for _, c in _tests(nb))
