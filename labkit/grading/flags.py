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
