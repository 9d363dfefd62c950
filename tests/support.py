"""Helpers shared by the test modules: the graded samples and scratch course roots."""
from __future__ import annotations

from pathlib import Path

from labkit.grading import pipeline, samples
from labkit.grading.course import REPO, Course

N_GROUPS = 4  # nbgrader batches (one worker start-up each); more, smaller batches balance the two xdist workers
# Catalogue entries per assignment graded through the whole nbgrader pipeline (the demo's default);
# every other entry is checked by the quick path (labkit.grading.fastcheck).
NBGRADER_WRONG_PER_ASSIGNMENT = 1


def all_samples() -> list[tuple[str, str]]:
    """(assignment, student) graded by nbgrader in CI: reference, blank release, sampled entries."""
    course = Course()
    pairs = [(a, s) for a in course.assignments() for s in ("reference", "blank")]
    picked = samples.pick(samples.catalogue(course.assignments()), NBGRADER_WRONG_PER_ASSIGNMENT)
    pairs += [(spec.assignment, spec.student) for spec in picked]
    return pairs


SAMPLES = all_samples()
FAST_SPECS = [s for s in samples.catalogue(Course().assignments())
              if (s.assignment, s.student) not in set(SAMPLES)]
FAST_CHUNK = 8  # entries checked in one kernel (labkit.grading.fastcheck.run_many)


def _fast_groups() -> dict[tuple[str, str], str]:
    groups, count = {}, {}
    for spec in FAST_SPECS:
        k = count.get(spec.assignment, 0)
        count[spec.assignment] = k + 1
        groups[(spec.assignment, spec.student)] = f"fast-{spec.assignment}-{k // FAST_CHUNK}"
    return groups


FAST_GROUP_OF = _fast_groups()
GROUP_OF = {pair: f"grading-{i % N_GROUPS}" for i, pair in enumerate(SAMPLES)}


def make_scratch_course(root: Path, assignments: list[str] | None = None) -> Course:
    """A course root whose ``source/`` is the repository's, with release/ and gradebook generated
    (for ``assignments`` only, when given: releasing all eight takes ~30 s)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "source").symlink_to(REPO / "source", target_is_directory=True)
    course = Course.scratch(root)
    pipeline.release(course, assignments)
    return course
