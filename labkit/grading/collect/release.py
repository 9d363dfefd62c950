"""The release: ``release/<a>/`` generated from ``source/<a>/`` — what students receive, what each
submission is checked against, and the assignment's definition in the gradebook that autograde needs."""
from __future__ import annotations

from pathlib import Path

from labkit.grading.course import Course, GradingError


def release(course: Course, assignments: list[str] | None = None) -> list[Path]:
    """Regenerate ``release/<a>/`` from ``source/<a>/`` with ``nbgrader generate_assignment``.

    Also records each assignment (and its hidden tests) in the gradebook, which autograde needs.
    """
    api = course.api()
    written = []
    for a in assignments or course.assignments():
        result = api.generate_assignment(a, force=True, create=True)
        if not result["success"]:
            raise GradingError(f"generate_assignment {a} failed:\n{result['log'][-3000:]}\n{result.get('error', '')}")
        written.append(course.notebook("release", a))
    return written
