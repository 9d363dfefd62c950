r"""Instructor tooling, laid out by stage: collect → check → run → record → report.

A thin layer over nbgrader's Python API (``nbgrader.apps.NbGraderAPI``); run it as ``labkit``. Each
stage imports only the stages before it (run also calls record; ``tests/test_layout.py`` keeps the
graph acyclic), and every setting and timeout comes from :mod:`labkit.settings`.

======== ========================= ===========================================================
stage    module                    what it does
======== ========================= ===========================================================
base     ``course``                a course root: folders, nbgrader config and API, gradebook
\        ``flags``                 :class:`~labkit.grading.flags.Flag`, the one finding type;
                                   ``reports/flags.jsonl``; what puts a grade under review
collect  ``collect.release``       ``release/`` from ``source/`` (nbgrader generate_assignment)
\        ``collect.lms``           an LMS download (folder/zip) into ``submitted/``; the pairs there
check    ``check.intake``          each submission against its release; repaired, or ruled out
\        ``check.notebooks``       source notebooks clean, release in sync, gradebook = source,
                                   glossary (``labkit check``, ``labkit strip``)
run      ``run.grade``             grade(): gradebook check, engine choice, run log
\        ``run.engine``            the Dask engine, instructor side: bundles, cluster, results
\        ``run.task``              the Dask task on a worker: scratch course, grading process
\        ``run.pool``              the previous process pool (``--cluster pool``)
\        ``run.worker``            ``python -m …run.worker``: nbgrader autograde + feedback
\        ``run.execute``           GuardedExecute: sandboxed kernel, probes, deadlines
\        ``run.sandbox``           bubblewrap kernel manager and resource limits
\        ``run.integrity``         static scan (grader) and tamper probes (kernel)
\        ``run.scope``             each test cell in its own function scope
\        ``run.preprocessors``     stderr relabelled, active output neutralised, hidden tests hidden
record   ``record.gradebook``      one writer: results into the gradebook in one transaction;
                                   scores read back
\        ``record.runs``           StepResult; ``reports/grading_runs.jsonl``
report   ``report.scores``         the score table and the grades CSV
\        ``report.class_report``   ``reports/class_report.md`` and its plots
\        ``report.export``         grades for Moodle/Canvas/CSV; the feedback zip
tools    ``cli``                   the ``labkit`` command
\        ``samples``               reference, blank and catalogue submissions; ``labkit verify`` checks
\        ``fastcheck``             the test suite's quick path for the catalogue
\        ``publish``               the student edition (``labkit publish``; ``edition/``)
\        ``benchmark``             ``tasks.py bench``: execution vs autograde time
\        ``throughput``            ``tasks.py throughput``: students per minute
======== ========================= ===========================================================
"""
