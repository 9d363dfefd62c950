"""Grade a list of submissions: refuse a tampered gradebook, hand the submissions to an engine (the
Dask cluster of :mod:`labkit.grading.run.engine` or the process pool of :mod:`labkit.grading.run.pool`),
log every run (:mod:`labkit.grading.record.runs`)."""
from __future__ import annotations

from labkit import settings
from labkit.grading.check.notebooks import gradebook_problems
from labkit.grading.course import Course, GradingError
from labkit.grading.record.runs import StepResult, log_runs

NOTEBOOK_TIMEOUT = settings.SUBMISSION_TIMEOUT  # wall clock for one student's notebook, kernel start included


def grade(course: Course, pairs: list[tuple[str, str]], *, feedback: bool = True,
          timeout: float = NOTEBOOK_TIMEOUT, echo=print, jobs: int = 1, cluster: str | None = None,
          resume: bool = False, progress: bool | None = None, **engine_options) -> list[StepResult]:
    """Autograde (and generate feedback for) each (assignment, student); results in the order of ``pairs``.

    ``cluster`` chooses the engine: ``"local"`` (default, also ``$LAB08_CLUSTER``): a Dask
    ``LocalCluster`` of ``jobs`` worker processes; ``"tcp://HOST:8786"``: an existing Dask scheduler;
    ``"module:function"``: an entry point returning a Dask cluster or client (see
    :mod:`labkit.grading.run.engine`); ``"pool"``: the previous home-made pool
    (:mod:`labkit.grading.run.pool`). On every engine a submission that takes longer than ``timeout``
    seconds has its processes killed and is recorded as failed with the reason, and the others go on.
    ``resume``: skip the submissions already graded whose files (and assignment) did not change since.
    """
    tampered = gradebook_problems(course, sorted({a for a, _ in pairs}))
    if tampered:
        raise GradingError("the gradebook does not match source/ (stored tests or points changed): "
                           + "; ".join(tampered[:5]) + " — run `labkit release` to rebuild it, then grade again")
    cluster = cluster or settings.CLUSTER.get()
    if cluster == "pool":
        from labkit.grading.run import pool

        results = pool.grade(course, pairs, feedback, timeout, echo, jobs)
    else:
        from labkit.grading.run import engine

        results = engine.grade(course, pairs, feedback=feedback, timeout=timeout, echo=echo, jobs=jobs,
                               cluster=cluster, resume=resume, progress=progress, **engine_options)
    log_runs(course, [r for r in results if not r.skipped])
    return results
