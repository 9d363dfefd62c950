"""The pipeline itself: release in sync, clean sources, broken submissions never stop a batch."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from labkit.grading import samples
from labkit.grading.check import notebooks as checks
from labkit.grading.course import REPO, Course
from labkit.grading.record import gradebook
from labkit.grading.record.runs import StepResult
from labkit.grading.report.scores import export_csv, format_table, read_csv
from labkit.grading.run.grade import grade
from labkit.grading.run.preprocessors import StderrToStdout

CONTRACT_CHECK = REPO.parent / "shared" / "tools" / "check_contract.py"


def test_release_is_in_sync_with_source():
    drift = checks.release_drift(Course())
    assert not drift, "release/ differs from a fresh generate_assignment — run `labkit release`:\n" + "\n".join(drift)


def test_release_leaks_no_solution_or_hidden_test():
    for nb_path in sorted((REPO / "release").glob("*/*.ipynb")):
        text = nb_path.read_text()
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in text, f"{nb_path.name} leaks '{marker}'"


def test_source_notebooks_are_clean():
    problems = checks.source_problems(Course())
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not CONTRACT_CHECK.exists(), reason="../shared/tools/check_contract.py not beside the repo")
def test_course_contract():
    out = subprocess.run([sys.executable, str(CONTRACT_CHECK), "--strict", "--only-present"],
                         cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_stderr_in_a_graded_cell_does_not_decide_the_grade():
    from nbgrader.utils import determine_grade

    cell = nbformat.v4.new_code_cell("print('x', file=sys.stderr)")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 2,
                                 "grade_id": "t", "schema_version": 3}
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: ruido\n")]
    assert determine_grade(cell)[0] == 0  # plain nbgrader: a warning zeroes the cell
    StderrToStdout().preprocess_cell(cell, {}, 0)
    assert determine_grade(cell)[0] == 2
    assert cell.outputs[0]["text"].startswith("[stderr] UserWarning")


def test_broken_submissions_are_reported_and_never_stop_the_batch(tmp_path):
    """Corrupt JSON, a kernel that dies and an endless loop are recorded; the others are graded,
    two students at a time (``jobs=2``) into one SQLite gradebook."""
    from support import make_scratch_course

    course = make_scratch_course(tmp_path / "course", ["part0_numpy_bridge"])
    a = "part0_numpy_bridge"
    ref = samples.reference_notebook(course, a)
    path = samples.write_submission(course, "corrupt", a, ref)
    path.write_text(path.read_text()[: len(path.read_text()) // 2])  # truncated JSON
    crash = samples.reference_notebook(course, a)
    endless = samples.reference_notebook(course, a)
    # the endless loop sleeps: the defence is the clock, and a spinning loop takes a CI core for 30 s
    for nb, code in [(crash, "import os\nos._exit(1)"), (endless, "import time\nwhile True:\n    time.sleep(0.05)")]:
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "convert")
        cell.source = code
    samples.write_submission(course, "crash", a, crash)
    samples.write_submission(course, "endless", a, endless)
    samples.write_submission(course, "reference", a, ref)
    samples.write_submission(course, "reference_too", a, ref)
    pairs = [(a, "corrupt"), (a, "crash"), (a, "endless"), (a, "reference"), (a, "reference_too")]
    graded = grade(course, pairs, feedback=False, timeout=30, echo=lambda _: None, jobs=2)
    assert [(r.assignment, r.student) for r in graded] == pairs
    results = {r.student: r for r in graded}
    assert not results["corrupt"].ok and results["corrupt"].message
    assert "more than 30 s" in results["endless"].message
    assert results["reference"].ok, results["reference"].message
    scores = {s.student: s for s in gradebook.scores(course)}
    assert scores["reference"].full and scores["reference_too"].full
    assert scores["crash"].code_score < scores["crash"].max_code_score


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    """part0 graded once, with feedback, for a reference, a blank and a wrong submission (softmax
    over the wrong dimension): the feedback, export and class report tests read this one class."""
    from support import make_scratch_course

    a = "part0_numpy_bridge"
    course = make_scratch_course(tmp_path_factory.mktemp("small-class") / "course", [a])
    spec = next(s for s in samples.catalogue([a]) if s.student == "p0_softmax_dim0")
    subs = {"fb_reference": samples.reference_notebook(course, a),
            "fb_blank": samples.blank_notebook(course, a),
            "fb_wrong": samples.spec_notebook(course, spec)}
    for student, nb in subs.items():
        samples.write_submission(course, student, a, nb)
    results = grade(course, [(a, s) for s in subs], echo=lambda _: None)
    assert all(r.ok for r in results), [r.message for r in results]
    return course, a, subs


@pytest.mark.xdist_group("small-class")
def test_feedback_and_csv_export(small_class):
    course, a, _ = small_class
    html = course.feedback / "fb_reference" / a / f"{a}.html"
    assert html.exists() and "Comprueba que" in html.read_text()
    rows = read_csv(export_csv(course, course.root / "grades.csv"))
    row = next(r for r in rows if r["student_id"] == "fb_reference" and r["assignment"] == a)
    assert float(row["score"]) == float(row["max_score"]) - 6  # 6 manual points still to grade
    table = format_table(gradebook.scores(course))
    assert "fb_reference" in table and "100%" in table
    # grades and feedback for the LMS (issue 12)
    import zipfile

    from labkit.grading.report import export

    canvas, _ = export.export(course, "canvas", course.root / "canvas.csv")
    lines = canvas.read_text().splitlines()
    assert lines[0].startswith("Student,ID,SIS User ID,SIS Login ID,Section,") and "Points Possible" in lines[1]
    assert any(line.startswith("fb_reference,,fb_reference,fb_reference,,") for line in lines)
    plain = {r["student"]: r for r in read_csv(export.export(course, "csv", course.root / "p.csv")[0])}
    assert float(plain["fb_reference"][a]) == float(plain["fb_reference"]["total"]) == float(row["score"])
    out, count = export.feedback_zip(course, course.root / "fb.zip")
    with zipfile.ZipFile(out) as zf:
        assert f"fb_reference_{a}.html" in zf.namelist() and count == len(zf.namelist())
        assert not [n for n in zf.namelist() if n.endswith(".ipynb")]


@pytest.mark.xdist_group("small-class")
def test_class_report_lists_scores_failures_runtimes_and_flags(small_class):
    """The class report reads the gradebook and the grading log; flagged runs are listed with the reason."""
    from labkit.grading.record import runs
    from labkit.grading.report import class_report

    course, a, _ = small_class
    runs.log_runs(course, [StepResult(a, "ghost", False, 1.0, "the grading process died")])
    text = class_report.build(course).read_text()
    assert "| part0_numpy_bridge | 3 |" in text
    assert "`activations_" in text and "2 of 3" in text  # the softmax tests: the blank and the wrong one
    assert "| part0_numpy_bridge | ghost | the grading process died |" in text
    for png in ("score_distribution.png", "most_failed_tests.png", "runtime_per_notebook.png"):
        assert (course.root / "reports" / png).stat().st_size > 1000


def test_cli_help_lists_the_subcommands():
    out = subprocess.run([sys.executable, "-m", "labkit", "--help"], capture_output=True, text=True)
    for cmd in ("demo", "release", "samples", "grade", "verify", "report", "check", "strip"):
        assert cmd in out.stdout


def test_lint_flags_a_test_cell_that_ends_in_a_bare_value(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('"""Comprueba que..."""\nscore = 0.5\nscore')
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 1,
                                 "grade_id": "t1", "schema_version": 3}
    nb.cells = [cell]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    assert any("bare expression" in p for p in checks.notebook_problems(path))


def test_strip_outputs_keeps_nbgrader_metadata(tmp_path):
    src = REPO / "source" / "part0_numpy_bridge" / "part0_numpy_bridge.ipynb"
    nb = nbformat.read(src, as_version=4)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hola")]
    nb.cells[2].execution_count = 3
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert checks.strip_outputs(path)
    again = json.loads(Path(path).read_text())
    assert sum("nbgrader" in c["metadata"] for c in again["cells"]) == sum(
        "nbgrader" in c.metadata for c in nb.cells)
    assert not checks.strip_outputs(path)


def test_catalogue_append_section_keeps_the_reference_answer(scratch_course, tmp_path):
    spec_file = tmp_path / "part1_pytorch" / "x_only_evaluate.py"
    spec_file.parent.mkdir()
    spec_file.write_text('"""Only evaluate is wrong.\n\nexpect_fail: evaluate_eval_no_grad\n"""\n'
                         "# %% train_eval +\ndef evaluate(model, loader, criterion, device='cpu'):\n"
                         "    return 0.0, 0.0\n")
    spec = samples.parse_spec(spec_file)
    assert spec.appended == {"train_eval"}
    nb = samples.spec_notebook(scratch_course, spec)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "train_eval")
    assert cell.source.index("def train_epoch") < cell.source.index("return 0.0, 0.0")


def test_a_fault_of_the_grader_is_not_graded_never_a_zero(tmp_path):
    """A companion file the kernel cannot read is the grader's fault: the submission is reported
    NOT GRADED with the reason, and no score is recorded for it (issue 13)."""
    from support import make_scratch_course

    a = "part0_numpy_bridge"
    course = make_scratch_course(tmp_path / "course", [a])
    companion = course.release / a / "datos.txt"
    companion.write_text("x")
    companion.chmod(0)
    samples.write_submission(course, "reference", a, samples.reference_notebook(course, a))
    [res] = grade(course, [(a, "reference")], feedback=False, echo=lambda _: None)
    assert not res.ok
    assert "datos.txt" in res.message or "datos.txt" in res.log, (res.message, res.log[-2000:])
    graded = [s for s in gradebook.scores(course) if s.student == "reference"]
    assert not graded or graded[0].max_code_score == 0, graded
    table = format_table(gradebook.scores(course), [res])
    assert "NOT GRADED" in table


@pytest.mark.xdist_group("small-class")
def test_feedback_shows_no_hidden_test_code(small_class):
    """Issue 13: feedback (what students receive) has each test's name, points and Spanish
    message, never a line of hidden test code nor a traceback quoting it — for a reference, a blank
    and a wrong submission."""
    from labkit.grading import publish

    course, a, subs = small_class
    hidden = publish.secret_lines(course, solutions=False)
    assert len(hidden) > 100
    for student in subs:
        html = course.feedback / student / a / f"{a}.html"
        text = "\n".join(publish.html_text_lines(html))
        own = {" ".join(x.split()) for c in subs[student].cells for x in c.source.splitlines()}
        shown = {" ".join(x.split()) for x in text.splitlines()}
        found = sorted((hidden - own) & shown)  # the student's own code may be in it
        assert not found, (student, found[:5])
        assert "### BEGIN HIDDEN TESTS" not in html.read_text()
        assert "tests ocultos" in text and "Traceback" not in text
    wrong = "\n".join(publish.html_text_lines(course.feedback / "fb_wrong" / a / f"{a}.html"))
    assert "AssertionError" in wrong  # the Spanish message of the failed test is there


def test_the_gradebook_revision_read_from_nbgrader_s_scripts_is_what_alembic_says():
    """labkit.grading.course reads the schema revision of a new gradebook from nbgrader's migration
    scripts, instead of the `alembic heads` subprocess nbgrader starts for each new gradebook."""
    from nbgrader.dbutil import _temp_alembic_ini

    from labkit.grading.course import _alembic_head

    alembic = Path(sys.executable).parent / "alembic"
    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
        out = subprocess.check_output([str(alembic), "-c", ini, "heads"], text=True)
    assert _alembic_head() and out.split()[0] == _alembic_head(), out
