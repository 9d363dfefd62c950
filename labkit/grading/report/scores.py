"""The score table and the grades CSV: what ``labkit report`` prints and exports."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from labkit.grading.course import Course
from labkit.grading.flags import review_note, under_review
from labkit.grading.record.gradebook import Score
from labkit.grading.record.runs import StepResult


def export_csv(course: Course, path: Path) -> Path:
    """Write the grades CSV with nbgrader's own exporter (``nbgrader export``), plus a ``review``
    column: ``pendiente de revisión: …`` for a submission under review (see
    :data:`labkit.grading.flags.REVIEW_KINDS`), empty otherwise."""
    from nbgrader.plugins import CsvExportPlugin

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with course.gradebook() as gb:
        CsvExportPlugin(to=str(path)).export(gb)
    review = under_review(course.root)
    rows = read_csv(path)
    if rows:
        fields = list(rows[0].keys()) + ["review"]
        for row in rows:
            reasons = review.get((row.get("assignment"), row.get("student_id")))
            row["review"] = review_note(reasons) if reasons else ""
        with open(path, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    return path


def format_table(rows: list[Score], failures: list[StepResult] = (), review: dict | None = None) -> str:
    """A plain-text score table, one line per student and assignment; ``review`` (from
    :func:`labkit.grading.flags.under_review`) marks the submissions *pendiente de revisión*."""
    review = review or {}
    w = max([len("student")] + [len(r.student) for r in rows] + [len(f.student) for f in failures])
    head = f"{'assignment':<22} {'student':<{w}} {'autograded':>15} {'':>5}  manual"
    lines = [head, "-" * len(head)]
    for s in rows:
        pct = 100 * s.code_score / s.max_code_score if s.max_code_score else 0.0
        manual = f"{s.manual_pending} to grade ({s.max_manual_score:g} pts)" if s.max_manual_score else "-"
        flag = "  REVIEW (" + "; ".join(review[(s.assignment, s.student)]) + ")" if (s.assignment, s.student) in review else ""
        lines.append(f"{s.assignment:<22} {s.student:<{w}} {s.code_score:6.1f} / {s.max_code_score:5.1f}"
                     f" {pct:4.0f}%  {manual}{flag}")
    for f in failures:
        lines.append(f"{f.assignment:<22} {f.student:<{w}} {'NOT GRADED':>15}        {f.message}")
    return "\n".join(lines)


def write_scores_json(rows: list[Score], path: Path) -> Path:
    """Per-cell scores as JSON (for tests and dashboards)."""
    data = [{"assignment": s.assignment, "student": s.student, "code_score": s.code_score,
             "max_code_score": s.max_code_score, "cells": s.cells} for s in rows]
    Path(path).write_text(json.dumps(data, indent=1))
    return Path(path)


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))
