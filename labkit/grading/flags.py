"""Flags: what the grading pipeline noticed about a submission, for the instructor's review.

Every part of the pipeline appends one JSON line per finding to ``reports/flags.jsonl``::

    {"assignment", "student", "source", "kind", "message", "mensaje", "at"}

``source`` says who noticed (``intake``: file and notebook structure; ``static``: suspicious code
found before running it; ``integrity``: tampering seen while the tests ran; ``sandbox``: the kernel
died, hung or hit a limit). ``message`` is for the instructor (English), ``mensaje`` for the
student's feedback (Spanish). Appends are serialised with a file lock, so parallel graders can
share the file.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

FLAGS_FILE = "flags.jsonl"

# What a flag does to a grade. Tampering seen by the probe already costs the test cell its points;
# any of these kinds also puts the whole submission *pendiente de revisión* (under review): the score
# table, the grades CSV, the class report and the student's feedback say so until the instructor has
# looked. The score itself is not changed automatically (a static finding can be a false alarm), but a
# grade under review is not a final grade. A sandbox or isolation note is the grader's business and
# puts nothing under review.
REVIEW_KINDS = {"tampering": "el código modificó funciones de las que dependen los tests",
                "suspicious-code": "código que merece una revisión manual",
                "active-content": "salidas con contenido activo (HTML/JavaScript)"}
# flags written while a submission is executed: a new grading run replaces them
RUN_SOURCES = {"static", "integrity", "sandbox"}


def flags_path(course_root: str | Path) -> Path:
    return Path(course_root) / "reports" / FLAGS_FILE


def flag(assignment: str, student: str, source: str, kind: str, message: str, mensaje: str = "") -> dict:
    return {"assignment": assignment, "student": student, "source": source, "kind": kind,
            "message": message, "mensaje": mensaje or message, "at": time.strftime("%Y-%m-%dT%H:%M:%S")}


def append_flags(course_root: str | Path, rows: list[dict]) -> None:
    """Append flags to ``reports/flags.jsonl`` (locked against concurrent writers)."""
    if not rows:
        return
    path = flags_path(course_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        try:
            import fcntl

            fcntl.flock(fh, fcntl.LOCK_EX)
        except (ImportError, OSError):
            pass
        fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def read_flags(course_root: str | Path) -> list[dict]:
    """Every flag recorded so far (unreadable lines are skipped)."""
    path = flags_path(course_root)
    rows = []
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return rows


def clear_run_flags(course_root: str | Path, assignment: str, student: str) -> None:
    """Forget the flags that an earlier grading run of this submission raised (intake flags stay):
    a student who resubmits without the suspicious code is no longer under review."""
    path = flags_path(course_root)
    if not path.is_file():
        return
    with open(path, "r+", encoding="utf-8") as fh:
        try:
            import fcntl

            fcntl.flock(fh, fcntl.LOCK_EX)
        except (ImportError, OSError):
            pass
        keep = []
        for line in fh.read().splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if (row.get("assignment"), row.get("student")) == (assignment, student) and row.get("source") in RUN_SOURCES:
                continue
            keep.append(line)
        fh.seek(0)
        fh.truncate()
        fh.write("".join(k + "\n" for k in keep))


def under_review(course_root: str | Path) -> dict[tuple[str, str], list[str]]:
    """``(assignment, student) -> [reasons]`` for every submission with a flag of a kind in
    :data:`REVIEW_KINDS` (Spanish reasons, one per kind)."""
    out: dict[tuple[str, str], list[str]] = {}
    for row in read_flags(course_root):
        kind = row.get("kind")
        if kind in REVIEW_KINDS:
            reasons = out.setdefault((row.get("assignment"), row.get("student")), [])
            if REVIEW_KINDS[kind] not in reasons:
                reasons.append(REVIEW_KINDS[kind])
    return out


def review_note(reasons: list[str]) -> str:
    return "pendiente de revisión: " + "; ".join(reasons)
