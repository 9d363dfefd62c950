"""Grades and feedback for the LMS.

``labkit export --format moodle|canvas|csv [--out FILE]`` writes one row per student, one column per
assignment (autograded + manual points, as the gradebook holds them) and the total. Student
identifiers are the ones the intake maps (``<student>`` in ``<student>_<assignment>.ipynb``), so the
LMS that produced the download matches them back:

* ``moodle``: ``Username,<assignment>...,Total`` — Moodle: *Grades → Import → CSV file*, map
  "Username" to *username* and each assignment column to its grade item (or *new grade item*);
* ``canvas``: Canvas's gradebook layout — ``Student,ID,SIS User ID,SIS Login ID,Section`` then one
  column per assignment, with a *Points Possible* row; Canvas: *Grades → Import*, it matches by
  SIS Login ID and offers to create the assignments it does not know;
* ``csv``: ``student,<assignment>...,total,max_total,review`` for a spreadsheet.

A submission *pendiente de revisión* (:mod:`labkit.grading.flags`) has no final grade: the LMS
formats leave its cell empty (and the command lists it) unless ``--include-under-review``; the plain
CSV keeps the score and says why in ``review``.

``labkit feedback --zip [FILE]`` packages one feedback HTML per student and assignment, named
``<student>_<assignment>.html`` like the intake's notebooks, flat in one zip, to upload as feedback
files; it never contains the autograded notebook (which holds the hidden tests).
"""
from __future__ import annotations

import csv
import zipfile
from pathlib import Path

from labkit.grading.course import Course
from labkit.grading.flags import review_note, under_review

FORMATS = ("moodle", "canvas", "csv")


def gradebook_table(course: Course) -> tuple[list[str], dict[str, dict[str, tuple[float, float]]], dict[str, float]]:
    """(assignments, {student: {assignment: (score, max_score)}}, {assignment: max_score})."""
    table: dict[str, dict[str, tuple[float, float]]] = {}
    maxima: dict[str, float] = {}
    with course.gradebook() as gb:
        assignments = sorted(a.name for a in gb.assignments)
        for a in gb.assignments:
            maxima[a.name] = float(a.max_score)
            for sub in a.submissions:
                table.setdefault(sub.student.id, {})[a.name] = (float(sub.score), float(sub.max_score))
        for student in gb.students:
            table.setdefault(student.id, {})
    return assignments, table, maxima


def export(course: Course, fmt: str, out: str | Path, *, include_under_review: bool = False) -> tuple[Path, list]:
    """Write the grades file; return its path and the (assignment, student) pairs left out as under review."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    assignments, table, maxima = gradebook_table(course)
    review = under_review(course.root)
    withheld = []
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for student in sorted(table):
        cells, total = [], 0.0
        for a in assignments:
            got = table[student].get(a)
            if got is None:
                cells.append("")
            elif (a, student) in review and fmt != "csv" and not include_under_review:
                cells.append("")
                withheld.append((a, student))
            else:
                cells.append(f"{got[0]:g}")
                total += got[0]
        notes = "; ".join(f"{a}: {review_note(review[(a, student)])}" for a in assignments if (a, student) in review)
        rows.append((student, cells, total, notes))
    max_total = sum(maxima.values())
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        if fmt == "moodle":
            w.writerow(["Username", *assignments, "Total"])
            w.writerows([s, *c, f"{t:g}"] for s, c, t, _ in rows)
        elif fmt == "canvas":
            w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *assignments])
            w.writerow(["    Points Possible", "", "", "", "", *[f"{maxima[a]:g}" for a in assignments]])
            w.writerows([s, "", s, s, "", *c] for s, c, _, _ in rows)
        else:
            w.writerow(["student", *assignments, "total", "max_total", "review"])
            w.writerows([s, *c, f"{t:g}", f"{max_total:g}", n] for s, c, t, n in rows)
    return out, withheld


def feedback_zip(course: Course, out: str | Path) -> tuple[Path, int]:
    """Zip every ``feedback/<student>/<assignment>/<assignment>.html`` as ``<student>_<assignment>.html``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for html in sorted(course.feedback.glob("*/*/*.html")):
            student, assignment = html.parent.parent.name, html.parent.name
            if html.name != f"{assignment}.html":
                continue
            zf.write(html, f"{student}_{assignment}.html")
            count += 1
    return out, count
