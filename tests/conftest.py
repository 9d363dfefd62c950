"""Shared fixtures: scratch course roots, and the sample submissions graded in batches."""
from __future__ import annotations

import os

import pytest

from labkit.grading import samples
from labkit.grading.course import KERNEL_ENV, Course
from labkit.grading.record import gradebook
from labkit.grading.run.grade import grade
from support import (FALLBACK_GROUPS, FAST_GROUP_OF, FAST_SPECS, GROUP_OF, QUICK_ATTACKS, SAMPLES,
                     make_scratch_course)

os.environ.update(KERNEL_ENV)


@pytest.fixture(scope="session")
def scratch_course(tmp_path_factory) -> Course:
    return make_scratch_course(tmp_path_factory.mktemp("course"), ["part0_numpy_bridge", "part1_pytorch"])


class GradedGroup:
    """One batch of sample submissions, graded together in one scratch course."""

    def __init__(self, course: Course, pairs: list[tuple[str, str]], sandbox: str | None = None):
        self.course = course
        self.sandbox = sandbox
        specs = {(s.assignment, s.student): s for s in samples.catalogue()}
        for a, s in pairs:
            if s == "reference":
                nb = samples.reference_notebook(course, a)
            elif s == "blank":
                nb = samples.blank_notebook(course, a)
            else:
                nb = samples.spec_notebook(course, specs[(a, s)])
            samples.write_submission(course, s, a, nb)
        saved = os.environ.get("LAB08_SANDBOX")
        if sandbox:
            os.environ["LAB08_SANDBOX"] = sandbox  # read by the grading workers this starts
        try:
            self.results = {(r.assignment, r.student): r
                            for r in grade(course, pairs, feedback=False, echo=lambda _: None)}
        finally:
            if saved is None:
                os.environ.pop("LAB08_SANDBOX", None)
            else:
                os.environ["LAB08_SANDBOX"] = saved
        self.scores = {(s.assignment, s.student): s for s in gradebook.scores(course)}


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """``graded(pair)`` -> (StepResult, Score) — grades the pair's whole group on first use."""
    cache: dict[str, GradedGroup] = {}

    def get(pair):
        group = GROUP_OF[pair]
        if group not in cache:
            pairs = [p for p in SAMPLES if GROUP_OF[p] == group]
            course = make_scratch_course(tmp_path_factory.mktemp(group), sorted({a for a, _ in pairs}))
            cache[group] = GradedGroup(course, pairs, "off" if group in FALLBACK_GROUPS else None)
        g = cache[group]
        return g.results[pair], g.scores.get(pair)

    def course_of(pair) -> Course:
        get(pair)
        return cache[GROUP_OF[pair]].course

    get.course_of = course_of
    get.sandbox_of = lambda pair: (get(pair), cache[GROUP_OF[pair]].sandbox)[1]
    return get


@pytest.fixture(scope="session")
def fast_checked():
    """``fast_checked(spec)`` -> FastResult — checks the spec's whole chunk in one kernel on first use."""
    from labkit.grading import fastcheck

    cache: dict[str, dict] = {}

    def get(spec):
        group = FAST_GROUP_OF[(spec.assignment, spec.student)]
        if group not in cache:
            chunk = [s for s in FAST_SPECS + QUICK_ATTACKS if FAST_GROUP_OF[(s.assignment, s.student)] == group]
            cache[group] = {(r.spec.assignment, r.spec.student): r
                            for r in fastcheck.run_many(Course(), chunk)}
        return cache[group][(spec.assignment, spec.student)]

    return get
