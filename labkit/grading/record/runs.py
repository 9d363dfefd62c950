"""The grading log: one :class:`StepResult` per graded submission, appended to
``reports/grading_runs.jsonl`` (runtime and outcome; the class report reads it back)."""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from labkit.grading.course import Course

RUNS_FILE = "grading_runs.jsonl"


@dataclass
class StepResult:
    """What happened when one nbgrader step ran for one student and assignment."""

    assignment: str
    student: str
    ok: bool
    seconds: float
    message: str = ""
    log: str = field(default="", repr=False)
    skipped: bool = False  # graded before and unchanged since (``labkit grade`` without ``--regrade``)
    worker: str = ""  # the Dask worker whose result was recorded (empty for the pool)


def reports_dir(course: Course) -> Path:
    path = course.root / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_runs(course: Course, results) -> None:
    """Append one JSON line per graded submission (the runtime and outcome the report needs)."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    with open(reports_dir(course) / RUNS_FILE, "a", encoding="utf-8") as fh:
        for r in results:
            row = {k: v for k, v in asdict(r).items() if k != "log"}
            fh.write(json.dumps({**row, "at": stamp}) + "\n")


def read_runs(course: Course) -> dict[tuple[str, str], dict]:
    """The latest logged run per (assignment, student)."""
    path = course.root / "reports" / RUNS_FILE
    runs: dict[tuple[str, str], dict] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
                runs[(row["assignment"], row["student"])] = row
            except (json.JSONDecodeError, KeyError):
                continue
    return runs
