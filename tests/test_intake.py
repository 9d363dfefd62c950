"""Intake of a class's submissions: collecting an LMS download, checking and repairing each notebook
against the release before nbgrader sees it, the flags file and its place in the class report.

Every test but the last is pure Python on a course root whose ``source/`` and ``release/`` link to
the repository's (no nbgrader run); the last one grades part0 submissions through the real pipeline.
"""
from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from labkit.grading import samples
from labkit.grading.check import intake
from labkit.grading.collect import lms
from labkit.grading.course import REPO, Course
from labkit.grading.record import gradebook
from labkit.grading.run.grade import grade

A = "part0_numpy_bridge"
OTHER = "part1_pytorch"
FLAG_KEYS = {"assignment", "student", "source", "kind", "message", "mensaje", "at"}


@pytest.fixture
def course(tmp_path) -> Course:
    """A course root that shares the repository's source/ and release/ (read only here)."""
    root = tmp_path / "course"
    root.mkdir()
    (root / "source").symlink_to(REPO / "source", target_is_directory=True)
    (root / "release").symlink_to(REPO / "release", target_is_directory=True)
    return Course(root)


def gid(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def index(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if gid(c) == grade_id)


def release_nb(course, a=A):
    return nbformat.read(course.notebook("release", a), as_version=4)


def flags_file(course) -> list[dict]:
    path = course.root / "reports" / "flags.jsonl"
    return [json.loads(ln) for ln in path.read_text().splitlines()] if path.exists() else []


def kinds(flags) -> set[str]:
    return {f.kind for f in flags}


def nb_bytes(nb) -> bytes:
    return nbformat.writes(nb).encode()


# --- checking and repairing -------------------------------------------------------------------

def test_clean_submission_has_no_flags_and_is_not_rewritten(course):
    path = samples.write_submission(course, "ana", A, samples.reference_notebook(course, A))
    before = path.read_bytes()
    assert intake.check_submission(course, A, "ana") == []
    gradable, flags = intake.prepare(course, [(A, "ana")], echo=lambda _: None)
    assert gradable == [(A, "ana")] and flags == []
    assert path.read_bytes() == before
    assert not intake.originals_path(course, A, "ana").exists() and flags_file(course) == []
    # the blank release too
    samples.write_submission(course, "blank", A, samples.blank_notebook(course, A))
    assert intake.check_submission(course, A, "blank") == []


def test_deleted_and_reordered_cells_are_restored_in_release_order(course):
    nb = samples.reference_notebook(course, A)
    for g in ("convert_to_torch", "activations_torch_ops", "copy_weights", "q_gpu"):  # test, answer, written
        del nb.cells[index(nb, g)]
    test = nb.cells.pop(index(nb, "train_sgd_matches_numpy"))
    nb.cells.insert(index(nb, "train_sgd"), test)  # a test before its answer
    answer = nb.cells.pop(index(nb, "autograd_grads"))
    nb.cells.append(answer)  # an answer moved to the end
    path = samples.write_submission(course, "beto", A, nb)
    before = path.read_bytes()

    flags = intake.check_submission(course, A, "beto")
    assert kinds(flags) == {"missing-cells", "reordered-cells"} and all(f.gradable for f in flags)
    assert path.read_bytes() == before  # checking changes nothing

    lines = []
    gradable, flags = intake.prepare(course, [(A, "beto")], echo=lines.append)
    assert gradable == [(A, "beto")] and len(lines) == 2
    missing = next(f for f in flags if f.kind == "missing-cells")
    moved = next(f for f in flags if f.kind == "reordered-cells")
    for g in ("convert_to_torch", "activations_torch_ops", "copy_weights", "q_gpu"):
        assert g in missing.message and g in missing.mensaje
    assert "autograd_grads" in moved.message and "train_sgd" in moved.message
    assert intake.originals_path(course, A, "beto").read_bytes() == before  # the untouched original

    fixed = nbformat.read(path, as_version=4)
    ref = release_nb(course)
    # every cell back where the release has it (the reference keeps the release's cell ids)
    assert [c.get("id") for c in fixed.cells] == [c.get("id") for c in ref.cells]
    assert fixed.cells[index(fixed, "autograd_grads")].source == answer.source  # the student's answer moved, kept
    assert fixed.cells[index(fixed, "copy_weights")].source == ref.cells[index(ref, "copy_weights")].source  # stub
    assert intake.check_submission(course, A, "beto") == []  # idempotent
    rows = flags_file(course)
    assert {r["kind"] for r in rows} == {"missing-cells", "reordered-cells"}
    assert all(set(r) == FLAG_KEYS and r["source"] == "intake" and r["student"] == "beto" for r in rows)


def test_forged_metadata_extra_and_duplicate_grade_cells_are_reset(course):
    from nbgrader.nbgraderformat import MetadataValidator

    nb = samples.reference_notebook(course, A)
    nb.cells[index(nb, "convert_to_torch")].metadata.nbgrader.points = 100
    nb.cells[index(nb, "convert_to_numpy")].metadata.nbgrader.grade = False
    m = nb.cells[index(nb, "activations_match_numpy")].metadata.nbgrader
    m.solution, m.locked = True, False
    del nb.cells[index(nb, "torch_net_layers")].metadata.nbgrader["schema_version"]
    bonus = copy.deepcopy(nb.cells[index(nb, "convert_to_torch")])
    bonus.metadata.nbgrader.update(grade_id="bonus", points=50)
    bonus.id = "bonus-1"
    bonus.source = "pass"
    nb.cells.append(bonus)
    twin = copy.deepcopy(nb.cells[index(nb, "convert")])  # copy-pasted answer cell
    twin.id = "twin-1"
    twin.source = "def to_torch(x):\n    return x"
    nb.cells.insert(index(nb, "convert") + 1, twin)
    samples.write_submission(course, "carla", A, nb)
    with pytest.raises(Exception):  # plain nbgrader would refuse it
        MetadataValidator().validate_nb(nb)

    flags = intake.sanitize(course, A, "carla")
    assert kinds(flags) == {"forged-metadata", "extra-grade-cells", "duplicate-grade-ids"}
    forged = next(f for f in flags if f.kind == "forged-metadata").message
    assert "points 1.0→100.0" in forged and "convert_to_numpy" in forged and "schema_version" in forged
    fixed = nbformat.read(course.notebook("submitted", A, "carla"), as_version=4)
    MetadataValidator().validate_nb(fixed)  # nbgrader's schema check passes now
    ref = {gid(c): c.metadata.nbgrader for c in release_nb(course).cells if gid(c)}
    assert {gid(c): c.metadata.nbgrader for c in fixed.cells if gid(c)} == ref
    kept = {c.get("id"): c for c in fixed.cells}
    assert "nbgrader" not in kept["bonus-1"].metadata and "nbgrader" not in kept["twin-1"].metadata
    assert kept["twin-1"].source.startswith("def to_torch")  # the copy still runs, ungraded
    assert sum(float(m.get("points", 0)) for m in ref.values() if m.get("grade")) == 21
    assert intake.check_submission(course, A, "carla") == []


def test_edited_locked_cells_are_flagged_and_left_to_nbgrader(course):
    nb = samples.reference_notebook(course, A)
    nb.cells[index(nb, "convert_to_torch")].source = "pass  # siempre pasa"
    nb.cells[index(nb, "given_numpy_net")].source += "\nW1 = None"
    path = samples.write_submission(course, "dora", A, nb)
    before = path.read_bytes()
    [flag] = intake.sanitize(course, A, "dora")
    assert flag.kind == "edited-locked-cells" and flag.gradable
    assert "convert_to_torch" in flag.message and "given_numpy_net" in flag.message
    assert path.read_bytes() == before  # nbgrader restores them from the gradebook (see the last test)


def test_unreadable_and_wrong_notebooks_are_not_graded(course):
    ref = samples.reference_notebook(course, A)
    samples.write_submission(course, "ok", A, ref)
    for student, text in [("truncated", nbformat.writes(ref)[:800]), ("empty", ""), ("list", "[]"),
                          ("not_nb", '{"hola": 1}'), ("binary", "\x89PNG\r\n")]:
        path = course.notebook("submitted", A, student)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    samples.write_submission(course, "other", A, samples.reference_notebook(course, OTHER))
    stripped = copy.deepcopy(ref)
    for cell in stripped.cells:
        cell.metadata.pop("nbgrader", None)
    samples.write_submission(course, "stripped", A, stripped)
    students = ["ok", "truncated", "empty", "list", "not_nb", "binary", "other", "stripped"]

    gradable, flags = intake.prepare(course, [(A, s) for s in students], echo=lambda _: None)
    assert gradable == [(A, "ok")]
    why = intake.not_graded(flags)
    assert set(why) == {(A, s) for s in students[1:]}
    assert all(why[(A, s)].startswith("unreadable") for s in students[1:6])
    assert why[(A, "other")].startswith("wrong-assignment") and OTHER in why[(A, "other")]
    assert why[(A, "stripped")].startswith("no-nbgrader-cells")
    assert all(f.mensaje and f.mensaje != f.message for f in flags)
    assert not (course.root / "reports" / "originals").exists()  # nothing rewritten
    assert {(r["student"], r["kind"]) for r in flags_file(course)} == {(f.student, f.kind) for f in flags}


def test_a_notebook_sharing_a_few_cells_with_another_assignment_is_still_its_own(course):
    nb = samples.reference_notebook(course, A)
    other = samples.reference_notebook(course, OTHER)
    nb.cells += [c for c in other.cells if gid(c)][:3]  # pasted a few cells of part1
    samples.write_submission(course, "eli", A, nb)
    flags = intake.check_submission(course, A, "eli")
    assert "wrong-assignment" not in kinds(flags) and kinds(flags) == {"extra-grade-cells"}


def test_old_format_notebook_gets_cells_without_ids(course):
    nb = samples.reference_notebook(course, A)
    del nb.cells[index(nb, "convert_to_torch")]
    nb.nbformat_minor = 4
    for cell in nb.cells:
        cell.pop("id", None)
    path = course.notebook("submitted", A, "fede")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(nb))
    assert kinds(intake.sanitize(course, A, "fede")) == {"missing-cells"}
    fixed = nbformat.read(path, as_version=4)
    nbformat.validate(fixed)
    assert [gid(c) for c in fixed.cells if gid(c)] == [gid(c) for c in release_nb(course).cells if gid(c)]


# --- collecting -----------------------------------------------------------------------------

def make_zip(members: dict[str, bytes], links: dict[str, str] = {}) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data)
        for name, target in links.items():  # symbolic links, as `zip --symlinks` stores them
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o120777 << 16
            zf.writestr(info, target)
    return buf.getvalue()


def test_collect_zip_maps_students_and_reports_the_rest(course, tmp_path):
    ref = nb_bytes(samples.reference_notebook(course, A))
    other = nb_bytes(samples.reference_notebook(course, OTHER))
    limit = max(len(ref), len(other)) + 10
    zpath = tmp_path / "descarga.zip"
    zpath.write_bytes(make_zip({
        "Entregas/ana/ana_part0_numpy_bridge.ipynb": ref,
        "luis_garcia_part0_numpy_bridge.ipynb": ref,  # a student id with underscores
        "luis_garcia_part1_pytorch.ipynb": other,
        "José Pérez_part0_numpy_bridge.ipynb": ref,  # sanitised
        "submitted/carla/part0_numpy_bridge/part0_numpy_bridge.ipynb": ref,  # nbgrader's layout
        "submitted/carla/part0_numpy_bridge/timestamp.txt": b"2026-03-01 10:00:00 UTC",
        "a/dup_part0_numpy_bridge.ipynb": ref,
        "b/dup_part0_numpy_bridge.ipynb": ref,  # two files for one student and assignment
        "__MACOSX/._ana_part0_numpy_bridge.ipynb": b"junk",
        ".ipynb_checkpoints/ana_part0_numpy_bridge-checkpoint.ipynb": ref,
        "Entregas/.oculto_part0_numpy_bridge.ipynb": ref,
        "notas.txt": b"hola",
        "bob_part9.ipynb": ref,
        "part0_numpy_bridge.ipynb": ref,  # no student
        "../evil_part0_numpy_bridge.ipynb": ref,
        "/abs_part0_numpy_bridge.ipynb": ref,
        "big_part0_numpy_bridge.ipynb": b"x" * (limit + 1),
    }, links={"link_part0_numpy_bridge.ipynb": "/etc/passwd"}))
    result = lms.collect(course, zpath, max_bytes=limit)
    assert sorted(result.pairs) == [(A, "Jose_Perez"), (A, "ana"), (A, "carla"), (A, "luis_garcia"),
                                    (OTHER, "luis_garcia")]
    for a, s in result.pairs:
        assert course.notebook("submitted", a, s).is_file()
    assert course.notebook("submitted", A, "ana").read_bytes() == ref
    assert not course.notebook("submitted", A, "dup").exists()
    assert course.notebook("submitted", A, "carla").with_name("timestamp.txt").read_text().startswith("2026")
    by_kind: dict[str, list] = {}
    for f in result.flags:
        by_kind.setdefault(f.kind, []).append(f)
    assert {f.message.split(":")[0] for f in by_kind["unmapped-file"]} == {
        "notas.txt", "bob_part9.ipynb", "part0_numpy_bridge.ipynb"}
    assert len(by_kind["unsafe-path"]) == 3 and len(by_kind["oversized-file"]) == 1
    assert [(f.student, f.gradable) for f in by_kind["duplicate-file"]] == [("dup", False)]
    assert [f.student for f in by_kind["renamed-student"]] == ["Jose_Perez"]
    assert not any("MACOSX" in f.message or "checkpoint" in f.message or "oculto" in f.message
                   for f in result.flags)
    assert not list(tmp_path.glob("evil*")) and not Path("/abs_part0_numpy_bridge.ipynb").exists()
    assert len(flags_file(course)) == len(result.flags)
    assert {r["source"] for r in flags_file(course)} == {"intake"}

    again = lms.collect(course, zpath, max_bytes=limit)  # a second download: nothing new
    assert sorted(again.pairs) == sorted(result.pairs) and again.copied == []


def test_collect_corrupt_zip_folder_and_submitted_tree(course, tmp_path):
    bad = tmp_path / "roto.zip"
    bad.write_bytes(make_zip({"ana_part0_numpy_bridge.ipynb": b"{}"})[:40])
    result = lms.collect(course, bad)
    assert result.pairs == [] and kinds(result.flags) == {"bad-zip"}
    assert kinds(lms.collect(course, tmp_path / "no_existe").flags) == {"missing-path"}

    folder = tmp_path / "lms"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "ana_part0_numpy_bridge.ipynb").write_bytes(nb_bytes(samples.blank_notebook(course, A)))
    (folder / "beto_part0_numpy_bridge.pdf").write_bytes(b"%PDF")
    result = lms.collect(course, folder)
    assert result.pairs == [(A, "ana")] and kinds(result.flags) == {"unmapped-file"}
    # nbgrader's own submitted/ tree: used in place
    assert lms.collect(course, course.submitted).pairs == [(A, "ana")]


def test_safe_student_ids():
    assert lms.safe_student_id("ana.garcia-2") == "ana.garcia-2"
    assert lms.safe_student_id("Núñez, María") == "Nunez_Maria"
    assert lms.safe_student_id("../../etc") == "etc"
    assert lms.safe_student_id("..").startswith("student_")


def test_cli_grade_from_a_zip_reports_what_it_cannot_grade(course, tmp_path, capsys):
    from labkit.grading.cli import main

    zpath = tmp_path / "clase.zip"
    zpath.write_bytes(make_zip({"dario_part0_numpy_bridge.ipynb": b'{"cells": [',
                                "fran_practica0.ipynb": b"{}"}))
    assert main(["--root", str(course.root), "grade", "--from", str(zpath), "--no-feedback"]) == 0
    out = capsys.readouterr().out
    assert "unmapped-file: fran_practica0.ipynb" in out
    assert f"NOT GRADED {A} dario: unreadable" in out and "graded 0 of 1 submissions" in out


# --- the class report ---------------------------------------------------------------------

def test_report_lists_the_latest_flag_per_student_and_kind(course):
    from labkit.grading.flags import Flag, append_flags
    from labkit.grading.report import class_report

    append_flags(course.root, [
        Flag(A, "ana", "intake", "missing-cells", "old message"),
        Flag(A, "ana", "intake", "missing-cells", "new | message"),
        Flag(A, "ana", "static", "suspicious-code", "get_ipython"),
        Flag(None, None, "intake", "unmapped-file", "a.txt: ignored"),
        Flag(None, None, "intake", "unmapped-file", "b.txt: ignored"),
    ])
    rows = class_report.latest_flags(course)
    assert [(r.student, r.kind, r.message) for r in rows] == [
        ("ana", "missing-cells", "new | message"), ("ana", "suspicious-code", "get_ipython"),
        (None, "unmapped-file", "a.txt: ignored"), (None, "unmapped-file", "b.txt: ignored")]


# --- through nbgrader ----------------------------------------------------------------------

@pytest.mark.grading
def test_a_class_zip_is_collected_repaired_and_graded(tmp_path):
    """A zip from the LMS with a clean reference, a reference with deleted and reordered test cells,
    one with forged points + an extra grade cell + a duplicate grade_id + an edited test cell, a
    corrupt file, a notebook of another assignment and a file that maps to nobody: each is
    reported; the repaired ones are graded within their maximum (the reference with deleted cells
    keeps full marks), the others are not graded, and the clean one is untouched."""
    from support import make_scratch_course

    from labkit.grading.report import class_report

    course = make_scratch_course(tmp_path / "course", [A, OTHER])
    ref = samples.reference_notebook(course, A)
    bad = copy.deepcopy(ref)
    for g in ("convert_to_torch", "activations_softmax_stable"):
        del bad.cells[index(bad, g)]
    bad.cells.insert(index(bad, "train_sgd"), bad.cells.pop(index(bad, "train_sgd_matches_numpy")))
    forged = copy.deepcopy(ref)
    forged.cells[index(forged, "convert_to_torch")].metadata.nbgrader.points = 100
    # an edited test cell that would fail: full marks below prove nbgrader put the original back
    forged.cells[index(forged, "torch_net_forward")].source = "raise AssertionError('celda editada')"
    extra = copy.deepcopy(forged.cells[index(forged, "convert_to_numpy")])
    extra.metadata.nbgrader.update(grade_id="extra_credit", points=50)
    extra.id, extra.source = "extra-1", "pass"
    twin = copy.deepcopy(forged.cells[index(forged, "convert_to_numpy")])
    twin.id, twin.source = "twin-1", "pass"
    forged.cells += [extra, twin]
    zpath = tmp_path / "clase.zip"
    zpath.write_bytes(make_zip({
        "entregas/ana_part0_numpy_bridge.ipynb": nb_bytes(ref),
        "entregas/beto_part0_numpy_bridge.ipynb": nb_bytes(bad),
        "entregas/carla_part0_numpy_bridge.ipynb": nb_bytes(forged),
        "entregas/dario_part0_numpy_bridge.ipynb": nb_bytes(ref)[:1000],
        "entregas/eva_part0_numpy_bridge.ipynb": nb_bytes(samples.reference_notebook(course, OTHER)),
        "entregas/fran_practica0.ipynb": nb_bytes(ref),
    }))

    collected = lms.collect(course, zpath)
    assert sorted(s for _, s in collected.pairs) == ["ana", "beto", "carla", "dario", "eva"]
    assert [f.kind for f in collected.flags] == ["unmapped-file"] and "fran" in collected.flags[0].message
    gradable, flags = intake.prepare(course, sorted(collected.pairs), echo=lambda _: None)
    assert gradable == [(A, "ana"), (A, "beto"), (A, "carla")]
    found = {(f.student, f.kind) for f in flags}
    assert found == {("beto", "missing-cells"), ("beto", "reordered-cells"), ("carla", "forged-metadata"),
                     ("carla", "extra-grade-cells"), ("carla", "duplicate-grade-ids"),
                     ("carla", "edited-locked-cells"), ("dario", "unreadable"), ("eva", "wrong-assignment")}

    results = {r.student: r for r in grade(course, gradable, feedback=False, jobs=1, echo=lambda _: None)}
    assert all(r.ok for r in results.values()), {s: r.message for s, r in results.items()}
    scores = {s.student: s for s in gradebook.scores(course)}
    assert set(scores) == {"ana", "beto", "carla"}  # dario and eva were not graded
    for s in scores.values():
        assert s.max_code_score == 15 and s.code_score <= s.max_code_score
    assert scores["ana"].full and scores["ana"].manual_pending == 6
    # the deleted test cells were graded (not sent to manual grading) and the moved one ran after its answer
    assert scores["beto"].full and scores["beto"].cells == scores["ana"].cells
    assert scores["beto"].manual_pending == scores["ana"].manual_pending
    # nbgrader restored the edited test cell, forged points and the extra cell count for nothing
    assert scores["carla"].full and set(scores["carla"].cells) == set(scores["ana"].cells)
    assert course.notebook("submitted", A, "ana").read_bytes() == nb_bytes(ref)

    text = class_report.build(course).read_text()
    for student, kind in found:
        assert f"| {A} | {student} | intake | {kind} |" in text
    assert "| - | - | intake | unmapped-file |" in text
