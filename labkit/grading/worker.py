"""Grade a batch of submissions in one process (``python -m labkit.grading.worker``).

Usage: ``python -m labkit.grading.worker ROOT [--no-feedback] ASSIGNMENT:STUDENT ...``

Student code never runs here: nbgrader runs it in a kernel subprocess. This process only drives
nbgrader, so its start-up cost (importing nbgrader takes seconds) is paid once per batch. For each
submission it prints one JSON line: ``{"assignment", "student", "success", "error", "log",
"seconds"}``. The parent (``labkit.grading.pipeline.grade``) enforces a deadline per submission and
kills this whole process group when one hangs, then starts a fresh worker for the rest.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labkit.grading.worker")
    parser.add_argument("root")
    parser.add_argument("items", nargs="+", metavar="ASSIGNMENT:STUDENT")
    parser.add_argument("--no-feedback", action="store_true")
    args = parser.parse_args(argv)

    from labkit.grading.course import KERNEL_ENV, Course

    os.environ.update(KERNEL_ENV)
    course = Course(args.root)
    api = course.api()
    os.environ.pop("LAB08_DB_URL", None)  # the gradebook's address (and password) never reaches a kernel
    from labkit.grading.checks import gradebook_problems

    for item in args.items:
        assignment, student = item.split(":", 1)
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
        if result.get("success") and not args.no_feedback:
            fb = api.generate_feedback(assignment, student, force=True)
            if not fb.get("success"):
                error = "feedback: " + (fb.get("error") or fb.get("log") or "")[-2000:]
        out = {"assignment": assignment, "student": student, "success": bool(result.get("success")),
               "error": error, "log": (result.get("log") or "")[-20000:],
               "seconds": time.perf_counter() - start}
        sys.stdout.write("\n" + json.dumps(out) + "\n")
        sys.stdout.flush()
    return 0


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


if __name__ == "__main__":
    sys.exit(main())
