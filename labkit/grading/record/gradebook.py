"""The one writer of the course's results: each graded submission is recorded in one transaction
(files, flags, gradebook scores and a digest of what was graded), and read back from there.

Only the instructor's process writes the gradebook (SQLite or PostgreSQL: the course's ``db_url``)
and the ``autograded/``, ``feedback/`` and ``reports/`` folders, as each result comes back from the
engine (:mod:`labkit.grading.run.engine`): files first (each folder replaced in one rename), then the
gradebook in **one transaction per submission** (student, submission, every score and comment, and the
submission's digest in the table ``labkit_graded``), so the gradebook never holds a half-written
submission. A result that is not ok removes the submission's old scores and digest instead (a grader
fault is not a zero). :func:`scores` reads every autograded submission back.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import shutil
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from labkit.grading import flags as flagging
from labkit.grading.course import Course


def _graded_table():
    from sqlalchemy import Column, MetaData, String, Table

    meta = MetaData()
    return Table("labkit_graded", meta,
                 Column("assignment", String(128), primary_key=True),
                 Column("student", String(128), primary_key=True),
                 Column("digest", String(64), nullable=False),
                 Column("graded_at", String(32), nullable=False)), meta


@contextlib.contextmanager
def _transaction(course):
    """The course gradebook with every nbgrader ``commit`` turned into a ``flush``: one real commit at
    the end, or a rollback of everything."""
    with course.gradebook() as gb:
        table, meta = _graded_table()
        meta.create_all(gb.engine, checkfirst=True)
        session = gb.db
        real_commit = session.commit
        session.commit = session.flush
        try:
            yield gb, table
        except BaseException:
            del session.commit
            session.rollback()
            raise
        del session.commit
        real_commit()


def record(course, res: dict, digest: str) -> None:
    """Write one complete result into the course: autograded and feedback folders, flags, and the
    gradebook (one transaction)."""
    a, s = res["assignment"], res["student"]
    flagging.clear_run_flags(course.root, a, s)
    flagging.append_flags(course.root, res.get("flags") or [])
    if not res["ok"]:
        forget(course, a, s)
        return
    _replace_folder(course.autograded / s / a, res.get("autograded") or {})
    if res.get("feedback"):
        _replace_folder(course.feedback / s / a, res["feedback"])
    from sqlalchemy import delete, insert
    from sqlalchemy.exc import SAWarning

    with _transaction(course) as (gb, table):
        gb.update_or_create_student(s)
        stamp = _dt.datetime.fromisoformat(res["timestamp"]) if res.get("timestamp") else None
        with warnings.catch_warnings():  # SQLAlchemy's note on nbgrader's objects built before add()
            warnings.simplefilter("ignore", SAWarning)
            if stamp is not None:
                gb.update_or_create_submission(a, s, timestamp=stamp)
            else:
                gb.update_or_create_submission(a, s)
        for g in res.get("grades") or []:
            grade = gb.find_grade(g["name"], g["notebook"], a, s)
            grade.auto_score = g["auto_score"]
            grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        for c in res.get("comments") or []:
            gb.find_comment(c["name"], c["notebook"], a, s).auto_comment = c["auto_comment"]
        for nb, penalty in (res.get("penalties") or {}).items():
            gb.find_submission_notebook(nb, a, s).late_submission_penalty = penalty
        gb.db.execute(delete(table).where(table.c.assignment == a, table.c.student == s))
        gb.db.execute(insert(table).values(assignment=a, student=s, digest=digest,
                                           graded_at=time.strftime("%Y-%m-%dT%H:%M:%S")))


def forget(course, assignment: str, student: str) -> None:
    """No score and no digest for a submission that could not be graded (one transaction)."""
    from nbgrader.api import MissingEntry
    from sqlalchemy import delete

    with _transaction(course) as (gb, table):
        try:
            gb.remove_submission(assignment, student)
        except MissingEntry:
            pass
        gb.db.execute(delete(table).where(table.c.assignment == assignment, table.c.student == student))


def graded_digests(course) -> dict[tuple[str, str], str]:
    """(assignment, student) -> digest of what was graded, for submissions still in the gradebook."""
    from sqlalchemy import select

    with course.gradebook() as gb:
        table, meta = _graded_table()
        meta.create_all(gb.engine, checkfirst=True)
        rows = gb.db.execute(select(table.c.assignment, table.c.student, table.c.digest)).all()
        present = {(sub.assignment.name, sub.student.id) for a in gb.assignments for sub in a.submissions}
    return {(a, s): d for a, s, d in rows if (a, s) in present}


def _replace_folder(folder: Path, files: dict[str, bytes]) -> None:
    tmp = folder.parent / f".{folder.name}.tmp-{uuid.uuid4().hex[:8]}"
    for name, data in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    tmp.mkdir(parents=True, exist_ok=True)
    old = folder.parent / f".{folder.name}.old-{uuid.uuid4().hex[:8]}"
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


# --- reading back ---------------------------------------------------------------------------------

@dataclass
class Score:
    """One student's autograded result for one assignment, with per-test-cell detail."""

    assignment: str
    student: str
    code_score: float
    max_code_score: float
    manual_pending: int
    max_manual_score: float
    cells: dict[str, tuple[float, float]]  # test grade_id -> (score, max)

    @property
    def full(self) -> bool:
        return self.max_code_score > 0 and abs(self.code_score - self.max_code_score) < 1e-9


def scores(course: Course) -> list[Score]:
    """Every autograded submission in the gradebook."""
    out = []
    with course.gradebook() as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                cells, pending, manual_max = {}, 0, 0.0
                for nb in sub.notebooks:
                    for g in nb.grades:
                        if g.cell.cell_type == "code" and g.auto_score is not None:
                            cells[g.name] = (float(g.score), float(g.max_score))
                        else:
                            manual_max += float(g.max_score)
                            pending += int(bool(g.needs_manual_grade))
                out.append(Score(assignment.name, sub.student.id, float(sub.code_score),
                                 float(sub.max_code_score), pending, manual_max, cells))
    return sorted(out, key=lambda s: (s.assignment, s.student))
