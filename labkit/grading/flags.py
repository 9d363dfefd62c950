"""Flags: what the grading pipeline noticed about a submission, for the instructor's review.

A finding is a :class:`Flag`, the one type every stage uses (intake, the executor and its integrity
probes, the preprocessors, the engine, reports and exports). Each is appended as one JSON line to
``reports/flags.jsonl``::

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
from dataclasses import dataclass, field
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
_ROW_KEYS = ("assignment", "student", "source", "kind", "message", "mensaje", "at")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


@dataclass
class Flag:
    """One finding about a file or a submission (``assignment``/``student`` None: about no
    submission, e.g. a file of an LMS download that maps to nobody). ``gradable=False``: the
    submission must not be graded (an intake verdict; not written to the file)."""

    assignment: str | None
    student: str | None
    source: str
    kind: str
    message: str  # for the instructor (English)
    mensaje: str = ""  # for the student's feedback (Spanish); empty: the message
    gradable: bool = True
    at: str = field(default_factory=_now)

    def __post_init__(self):
        self.mensaje = self.mensaje or self.message

    def row(self) -> dict:
        """The JSON line for ``reports/flags.jsonl``."""
        return {k: getattr(self, k) for k in _ROW_KEYS}

    @classmethod
    def from_row(cls, row: dict) -> "Flag":
        """A flag read back from its JSON line (what the line lacks: None, ``?`` or empty)."""
        known = {"assignment": None, "student": None, "source": "?", "message": ""}
        return cls(**{**known, **{k: row[k] for k in _ROW_KEYS if k in row}})

    def line(self) -> str:
        who = f"{self.assignment or '-':<22} {self.student or '-':<30}"
        return f"  flag {who} {self.kind}: {self.message}"


def flags_path(course_root: str | Path) -> Path:
    return Path(course_root) / "reports" / FLAGS_FILE


def append_flags(course_root: str | Path, found: list[Flag]) -> None:
    """Append flags to ``reports/flags.jsonl`` (locked against concurrent writers)."""
    if not found:
        return
    path = flags_path(course_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        try:
            import fcntl

            fcntl.flock(fh, fcntl.LOCK_EX)
        except (ImportError, OSError):
            pass
        fh.write("".join(json.dumps(f.row(), ensure_ascii=False) + "\n" for f in found))


def read_flags(course_root: str | Path) -> list[Flag]:
    """Every flag recorded so far (unreadable lines are skipped)."""
    path = flags_path(course_root)
    found = []
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
                if isinstance(row, dict) and "kind" in row:
                    found.append(Flag.from_row(row))
            except (json.JSONDecodeError, TypeError):
                continue
    return found


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
    for flag in read_flags(course_root):
        kind = flag.kind
        if kind in REVIEW_KINDS:
            reasons = out.setdefault((flag.assignment, flag.student), [])
            if REVIEW_KINDS[kind] not in reasons:
                reasons.append(REVIEW_KINDS[kind])
    return out


def review_note(reasons: list[str]) -> str:
    return "pendiente de revisión: " + "; ".join(reasons)
