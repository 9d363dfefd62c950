"""Drive nbgrader for one submission at a time, in a process of its own (``python -m labkit.grading.run.worker``).

Two ways to use it:

``python -m labkit.grading.run.worker ROOT [--no-feedback] ASSIGNMENT:STUDENT ...``
    the home-made pool (``labkit grade --cluster pool``): grade a batch of ``ROOT``'s submissions in
    order, writing straight into ``ROOT``'s gradebook.

``python -m labkit.grading.run.worker --serve``
    the Dask engine (:mod:`labkit.grading.run.engine`): a grading task on a Dask worker keeps one such
    process and sends it one JSON request per line on stdin, ``{"id", "root", "assignment",
    "student", "feedback"}``, where ``root`` is a scratch course that the task built on the worker
    (its own SQLite gradebook holding only the assignment's definition). For each request it grades,
    writes the feedback, reads what nbgrader recorded (per-cell scores, comments, late penalty,
    submission timestamp) and removes the submission from the scratch gradebook again.

Student code never runs here: nbgrader runs it in a kernel subprocess (the sandbox of
:mod:`labkit.grading.run.sandbox`). This process only drives nbgrader, so its start-up cost (importing
nbgrader takes seconds) is paid once per batch or per Dask worker. For each submission it prints one
JSON line: ``{"assignment", "student", "success", "error", "log", "seconds", ...}``. Its parent (the pool
in :mod:`labkit.grading.run.pool` or the Dask task of :mod:`labkit.grading.run.task`) enforces a deadline
per submission and kills this whole process group when one hangs, then starts a fresh process for the
rest; the helpers it uses for that (:func:`pump`, :func:`kill_group`, :func:`first_error_line`) are at
the end of this module.
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import subprocess
import sys
import time

from labkit import settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m labkit.grading.run.worker")
    parser.add_argument("root", nargs="?")
    parser.add_argument("items", nargs="*", metavar="ASSIGNMENT:STUDENT")
    parser.add_argument("--no-feedback", action="store_true")
    parser.add_argument("--serve", action="store_true", help="read JSON requests on stdin (Dask engine)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # intermixed: `ROOT --no-feedback A:S` must work (plain parse_args ends the positionals at the
    # first option and refuses A:S, exit code 2)
    args = parser.parse_intermixed_args(argv)

    from labkit.grading.course import KERNEL_ENV, Course

    os.environ.update(KERNEL_ENV)
    if args.serve:
        os.environ.pop(settings.DB_URL.name, None)
        return serve()
    if not args.root or not args.items:
        parser.error("ROOT and at least one ASSIGNMENT:STUDENT are needed (or --serve)")
    course = Course(args.root)
    api = course.api()
    os.environ.pop(settings.DB_URL.name, None)  # the gradebook's address (and password) never reaches a kernel
    for item in args.items:
        assignment, student = item.split(":", 1)
        _emit(grade_one(course, api, assignment, student, feedback=not args.no_feedback))
    return 0


def _emit(out: dict) -> None:
    sys.stdout.write("\n" + json.dumps(out) + "\n")
    sys.stdout.flush()


def grade_one(course, api, assignment: str, student: str, feedback: bool = True) -> dict:
    """Autograde one submission of ``course`` (and write its feedback); nbgrader's outcome as a dict."""
    from labkit.grading.check.notebooks import gradebook_problems

    start = time.perf_counter()
    # without the sandbox a previous kernel could have rewritten the stored tests: check first
    tampered = gradebook_problems(course, [assignment])
    if tampered:
        result = {"success": False, "log": "",
                  "error": "gradebook does not match source/ (run `labkit release`): " + "; ".join(tampered[:3])}
    else:
        result = api.autograde(assignment, student, force=True, create=True)
    error = result.get("error") or ""
    if not result.get("success"):
        _forget(course, assignment, student)
    else:
        _drop_extra_files(course, assignment, student)
    if result.get("success") and feedback:
        fb = api.generate_feedback(assignment, student, force=True)
        if not fb.get("success"):
            error = "feedback: " + (fb.get("error") or fb.get("log") or "")[-2000:]
    return {"assignment": assignment, "student": student, "success": bool(result.get("success")),
            "error": error, "log": (result.get("log") or "")[-20000:],
            "seconds": time.perf_counter() - start}


def serve() -> int:
    """The Dask engine's grading process: one JSON request per stdin line, one JSON answer per request."""
    from labkit.grading.course import Course

    apis: dict[str, tuple] = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        root = req["root"]
        if root not in apis:
            course = Course.scratch(root)  # the scratch course's own SQLite gradebook, nothing else
            apis[root] = (course, course.api())
        course, api = apis[root]
        out = grade_one(course, api, req["assignment"], req["student"], feedback=req.get("feedback", True))
        if out["success"]:
            try:
                out.update(recorded(course, req["assignment"], req["student"]))
            except Exception as err:  # noqa: BLE001 — reported as a failure of this submission
                out.update(success=False, error=f"could not read the scratch gradebook: {type(err).__name__}: {err}")
                _forget(course, req["assignment"], req["student"])
        out["id"] = req.get("id")
        _emit(out)
    return 0


def recorded(course, assignment: str, student: str) -> dict:
    """What nbgrader stored for one submission: per-cell scores and comments, late penalty, timestamp;
    then the submission is removed from the (scratch) gradebook, which keeps no student."""
    with course.gradebook() as gb:
        sub = gb.find_submission(assignment, student)
        grades, comments, penalties = [], [], {}
        for nb in sub.notebooks:
            penalties[nb.name] = nb.late_submission_penalty
            for g in nb.grades:
                grades.append({"notebook": nb.name, "name": g.name, "auto_score": g.auto_score,
                               "max_score": g.max_score, "cell_type": g.cell.cell_type})
            for c in nb.comments:
                comments.append({"notebook": nb.name, "name": c.name, "auto_comment": c.auto_comment})
        out = {"grades": grades, "comments": comments, "penalties": penalties,
               "timestamp": sub.timestamp.isoformat() if sub.timestamp else None}
        gb.remove_submission(assignment, student)
        return out


def _drop_extra_files(course, assignment: str, student: str) -> None:
    """Keep in ``autograded/<student>/<assignment>/`` only the notebook and the release's companion
    files. formgrader serves that folder under the Jupyter server's own origin
    (``/formgrader/submissions/<id>/<file>``): a student's extra ``page.html`` linked from the notebook
    would run there with the instructor's session."""
    import shutil

    folder = course.autograded / student / assignment
    keep = {f"{assignment}.ipynb"} | {p.name for p in (course.release / assignment).glob("*") if p.is_file()}
    for path in list(folder.iterdir()) if folder.is_dir() else []:
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() and not path.is_symlink() else path.unlink(missing_ok=True)


def _forget(course, assignment: str, student: str) -> None:
    """A submission that could not be graded leaves no score behind: nbgrader records the
    submission (0 points) before it executes anything, and a grader fault is not a zero."""
    try:
        with course.gradebook() as gb:
            gb.remove_submission(assignment, student)
    except Exception:  # never recorded, or the gradebook is unreachable: nothing to forget
        pass


# --- the parent's side: the pool and the Dask task ------------------------------------------------

def pump(stream, lines: queue.Queue) -> None:
    """Put every JSON line this process prints on ``lines``; None when it exits."""
    for line in stream:
        if line.startswith("{"):
            lines.put(line)
    lines.put(None)  # end of output: the worker exited


def kill_group(proc: subprocess.Popen) -> None:
    """Kill this process and everything it started (its process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def first_error_line(text: str) -> str:
    """The line of nbgrader's log that says what went wrong (at most 300 characters)."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    errors = [ln for ln in lines if "Error" in ln or "error" in ln]
    return (errors[-1] if errors else lines[-1] if lines else "unknown error")[:300]


if __name__ == "__main__":
    sys.exit(main())
