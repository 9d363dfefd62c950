"""Helpers shared by the test modules: the graded samples and scratch course roots."""
from __future__ import annotations

from pathlib import Path

from labkit.grading import pipeline, samples
from labkit.grading.course import REPO, Course

N_GROUPS = 2  # one batch per xdist worker (`-n 2`): the nbgrader start-up is paid once per batch


def all_samples() -> list[tuple[str, str]]:
    """(assignment, student) for the reference, the blank release and every catalogue entry."""
    course = Course()
    pairs = [(a, s) for a in course.assignments() for s in ("reference", "blank")]
    pairs += [(spec.assignment, spec.student) for spec in samples.catalogue(course.assignments())]
    return pairs


SAMPLES = all_samples()
GROUP_OF = {pair: f"grading-{i % N_GROUPS}" for i, pair in enumerate(SAMPLES)}


def make_scratch_course(root: Path) -> Course:
    """A course root whose ``source/`` is the repository's, with release/ and gradebook generated."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "source").symlink_to(REPO / "source", target_is_directory=True)
    course = Course(root)
    pipeline.release(course)
    return course
