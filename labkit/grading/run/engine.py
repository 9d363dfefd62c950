"""Grading on Dask distributed: one code path from a laptop to a cluster of many machines.

``labkit grade`` hands every (student, assignment) submission to a Dask cluster as one task:

``--cluster local`` (default)
    a :class:`distributed.LocalCluster` on this machine: ``--jobs`` worker processes with one thread
    each (one notebook at a time per worker), started and stopped by the command.
``--cluster tcp://HOST:8786``
    an existing scheduler (``dask scheduler`` + ``dask worker`` on other machines).
``--cluster module:function``
    a Python entry point that returns a Dask cluster object or a ``Client`` (``dask-jobqueue`` on
    Slurm/PBS, ``dask-kubernetes``; see the README, "Grading a large class").
``--cluster pool``
    the previous home-made pool of ``python -m labkit.grading.run.worker`` processes
    (:mod:`labkit.grading.run.pool`, kept for comparison: ``python3 tasks.py throughput``).

Design
------
*Workers share no file system with the instructor.* A task carries everything it needs, and returns
everything it produced:

* the **assignment bundle** (a few hundred kB, in every task of that assignment, so that no task
  depends on data that a dying worker could take with it): the files of
  ``source/<a>/`` and ``release/<a>/`` and the assignment's *gradebook definition* — a small SQLite
  gradebook holding only the assignment, its notebook and its cells (stored tests and points), copied
  row by row from the instructor's gradebook (checked against ``source/`` before anything is
  submitted). No student data is in it;
* the **submission**: the files of ``submitted/<student>/<assignment>/`` (after the intake checks,
  which run on the instructor's machine);
* the **policy**: the grading settings of the instructor's environment (``LAB08_SANDBOX``, sandbox
  limits, cell and notebook timeouts), the per-notebook deadline, feedback or not, and, for a local
  cluster, each kernel's thread share (:mod:`labkit.threads`; remote workers compute theirs from their
  own cores and the number of workers on their host).

On the worker, :func:`labkit.grading.run.task.grade_task` builds (once per assignment version, under
the worker's local directory) a scratch course root with that ``source/``, ``release/`` and gradebook,
writes the submission into ``submitted/``, and grades it in a long-lived ``python -m
labkit.grading.run.worker --serve`` process of its own, which the task kills when the deadline passes.
The task returns plain data: ok / reason, the nbgrader log, per-cell scores and comments, the late
penalty, the submission's timestamp, the autograded folder's files, the feedback HTML and the flags
raised.

*One writer.* Only the instructor's process writes the gradebook and the ``autograded/``,
``feedback/`` and ``reports/`` folders, as each result comes back, one transaction per submission
(:mod:`labkit.grading.record.gradebook`).

*Nothing lost when a worker dies.* A task whose worker dies (killed, out of memory, the machine gone)
is sent again to another worker by the Dask scheduler; a submission whose tasks killed more than
``allowed_failures`` workers (``distributed.scheduler.allowed-failures``; set here for a local cluster,
by the scheduler's own configuration otherwise) comes back as ``KilledWorker`` and is reported NOT
GRADED with that reason — never an endless retry. Each submission is recorded at most once per run
(one future per submission). Interrupting ``labkit grade`` keeps every result recorded so far; by
default ``labkit grade`` then grades only what is missing: a (student, assignment) pair whose
``labkit_graded`` digest (the submitted files and the assignment's source and release) matches is
skipped; ``--regrade`` grades everything again.

*Progress.* A ``rich`` progress bar (count, students per minute, elapsed, ETA) on an interactive
terminal, and the dashboard link when the scheduler serves one (install ``bokeh`` for it); tests pass
an ``echo`` callback and see no bar.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from labkit import settings, threads
from labkit.grading.record.gradebook import graded_digests, record
from labkit.grading.record.runs import StepResult
from labkit.grading.run.task import files_of, grade_task

DEFAULT_ALLOWED_FAILURES = settings.ALLOWED_FAILURES  # workers one submission may kill; the next death: NOT GRADED
# Submissions handed to the scheduler at once, per worker: one, so that a worker never holds a queue of
# submissions that would all count as suspects (towards allowed-failures) if it died.
IN_FLIGHT_PER_WORKER = 1
LAST_RUN: dict = {}  # the latest grade() here: seconds to start/connect the cluster, tasks (benchmarks)


# --- instructor side: what a task carries ------------------------------------------------------

def _digest(*parts: dict[str, bytes] | bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, dict):
            for name in sorted(part):
                h.update(name.encode() + b"\0" + hashlib.sha256(part[name]).digest())
        else:
            h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\1")
    return h.hexdigest()


def assignment_bundle(course, assignment: str, definition: bool = True) -> dict:
    """Everything a worker needs to grade any submission of ``assignment`` (plain data); without
    ``definition``, all but the gradebook definition (enough for the digest)."""
    source = files_of(course.source / assignment)
    release = files_of(course.release / assignment)
    modes = {f"{kind}/{name}": (getattr(course, kind) / assignment / name).stat().st_mode & 0o7777
             for kind, files in (("source", source), ("release", release)) for name in files}
    bundle = {"assignment": assignment, "digest": _digest(source, release, json.dumps(modes, sort_keys=True)),
              "source": source,
              "release": release, "modes": modes}
    if definition:
        bundle["gradebook"] = gradebook_definition(course, assignment)
    return bundle


def gradebook_definition(course, assignment: str) -> bytes:
    """A SQLite gradebook holding only ``assignment``'s definition (notebooks, cells, points, stored
    tests), copied from the course's gradebook, as bytes."""
    from nbgrader import api as nbapi
    from sqlalchemy import inspect

    from labkit.grading.course import ensure_env_on_path

    ensure_env_on_path()  # a new gradebook asks `alembic` (from this environment) for its version
    course_id = course.config().CourseDirectory.course_id
    with tempfile.TemporaryDirectory(prefix="labkit-gbdef-") as tmp:
        path = Path(tmp) / "gradebook.db"
        with course.gradebook() as src, nbapi.Gradebook(f"sqlite:///{path}", course_id=course_id) as dst:
            a = src.find_assignment(assignment)

            def copy(obj):
                cols = {c.key: getattr(obj, c.key) for c in inspect(obj).mapper.column_attrs}
                new = type(obj)(**cols)
                for key, value in cols.items():  # (Assignment's constructor picks its own id)
                    setattr(new, key, value)
                dst.db.add(new)

            copy(a)
            for nb in a.notebooks:
                copy(nb)
                for cell in [*nb.grade_cells, *nb.solution_cells, *nb.task_cells, *nb.source_cells]:
                    copy(cell)
            dst.db.commit()
        return path.read_bytes()


def submission_payload(course, assignment: str, student: str) -> dict:
    files = files_of(course.submitted / student / assignment)
    return {"assignment": assignment, "student": student, "files": files}


def submission_digest(bundle_digest: str, files: dict[str, bytes]) -> str:
    return _digest(bundle_digest, files)


# --- instructor side: the cluster ----------------------------------------------------------------

@contextlib.contextmanager
def connect(cluster: str | None, jobs: int, allowed_failures: int = DEFAULT_ALLOWED_FAILURES):
    """A Dask ``Client`` for ``cluster`` (``local``, a scheduler address or ``module:function``);
    yields ``(client, is_local)``. What this opened is closed at the end."""
    import dask
    from distributed import Client, LocalCluster

    spec = cluster or "local"
    opened = []
    try:
        if spec == "local":
            dashboard = ":0"  # a free port; the page itself needs bokeh
            # Dask's nannies run in this process and would export OMP_NUM_THREADS=1 & co. into it (read by
            # labkit.threads as a share fixed by hand): they export nothing, and this environment is kept
            touched = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MALLOC_TRIM_THRESHOLD_")
            saved = {k: os.environ.get(k) for k in touched}
            with dask.config.set({"distributed.scheduler.allowed-failures": allowed_failures,
                                  "distributed.scheduler.worker-saturation": 1.0,
                                  "distributed.nanny.pre-spawn-environ": {"MALLOC_TRIM_THRESHOLD_": 65536},
                                  "distributed.worker.daemon": False}):
                try:
                    lc = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                      dashboard_address=dashboard, silence_logs=40)
                finally:
                    threads.restore(saved)
                opened.append(lc)
                client = Client(lc)
            opened.insert(0, client)
            yield client, True
        elif "://" in spec:
            client = Client(spec)
            opened.append(client)
            yield client, False
        elif ":" in spec:
            module, _, name = spec.partition(":")
            if os.getcwd() not in sys.path:  # an entry point in the folder `labkit grade` runs from
                sys.path.append(os.getcwd())
            obj = getattr(importlib.import_module(module), name)()
            if isinstance(obj, Client):
                client = obj
            else:
                opened.append(obj)
                client = Client(obj)
            opened.insert(0, client)
            yield client, False
        else:
            raise ValueError(f"--cluster {spec!r}: expected local, pool, tcp://HOST:PORT or module:function")
    finally:
        for thing in opened:
            with contextlib.suppress(Exception):
                thing.close()


def dashboard_link(client, local: bool = False) -> str | None:
    if local and importlib.util.find_spec("bokeh") is None:
        return None  # the scheduler here would only answer "install bokeh"
    try:
        if client.scheduler_info().get("services", {}).get("dashboard"):
            return client.dashboard_link
    except Exception:  # noqa: BLE001
        pass
    return None


def grade(course, pairs, *, feedback=True, timeout=settings.SUBMISSION_TIMEOUT, echo=print, jobs=1,
          cluster="local", resume=False, progress=None, allowed_failures=DEFAULT_ALLOWED_FAILURES, task=None,
          on_submit=None) -> list[StepResult]:
    """Grade ``pairs`` on a Dask cluster; returns one ``StepResult`` per pair, in order.

    ``resume``: skip pairs whose recorded digest matches the submission. ``task``: the function run on
    the workers (default :func:`~labkit.grading.run.task.grade_task`; tests wrap it).
    ``on_submit(client)``: called once the cluster is up (tests use it to watch or kill workers).
    """
    bundles = {a: assignment_bundle(course, a, definition=False) for a in sorted({a for a, _ in pairs})}
    subs = {(a, s): submission_digest(bundles[a]["digest"], files_of(course.submitted / s / a)) for a, s in pairs}
    done = _unchanged(course, pairs, subs) if resume else {}
    todo = [p for p in pairs if p not in done]
    if not todo:
        return [done[p] for p in pairs]
    n_local = max(1, min(jobs, len(todo)))
    local_plan = threads.plan(n_local)  # decided before Dask touches this process's environment
    bar = _Progress(len(todo), echo, progress)
    started = time.perf_counter()
    stack, client, local = _start(course, cluster, n_local, allowed_failures, todo, bundles)
    with stack:
        LAST_RUN.update(startup=time.perf_counter() - started, tasks=len(todo))
        options = _options(client, local, bar, feedback=feedback, timeout=float(timeout),
                           policy=settings.policy(), threads=local_plan if local else None)
        if on_submit:
            on_submit(client)
        with bar:
            _run(course, client, todo, bundles, subs, options, task or grade_task, allowed_failures, bar, done)
    return [done[p] for p in pairs]


def _unchanged(course, pairs, subs) -> dict[tuple[str, str], StepResult]:
    """The pairs whose recorded digest matches the submission: skipped."""
    known = graded_digests(course)
    return {pair: StepResult(pair[0], pair[1], True, 0.0, "unchanged since graded: skipped", skipped=True)
            for pair in pairs if known.get(pair) == subs[pair]}


def _start(course, cluster, n_local, allowed_failures, todo, bundles):
    """(exit stack, client, is_local): the cluster started or reached; meanwhile the gradebook
    definitions of the assignments in ``todo`` are built into ``bundles``."""
    from concurrent.futures import ThreadPoolExecutor

    from labkit.grading.course import ensure_env_on_path

    ensure_env_on_path()  # here, not in the thread below (`alembic` must be on PATH)
    with ThreadPoolExecutor(1) as ex:  # the gradebook definitions are built while the cluster starts
        definitions = ex.submit(lambda: {a: gradebook_definition(course, a) for a in sorted({a for a, _ in todo})})
        try:
            stack = contextlib.ExitStack()
            client, local = stack.enter_context(connect(cluster, n_local, allowed_failures))
        finally:
            for a, data in definitions.result().items():
                bundles[a]["gradebook"] = data
    return stack, client, local


def _options(client, local: bool, bar, **options) -> dict:
    """What every task gets besides its bundle and submission: ``options`` and the number of workers
    per host (remote workers compute their thread share from it)."""
    link = dashboard_link(client, local)
    if link:
        bar.echo(f"Dask dashboard: {link}")
    if not local:
        client.wait_for_workers(1, timeout=settings.WORKERS_TIMEOUT)
    workers = client.scheduler_info(n_workers=-1).get("workers", {})
    per_host: dict[str, int] = {}
    for info in workers.values():
        per_host[info.get("host", "")] = per_host.get(info.get("host", ""), 0) + 1
    return {**options, "per_host": per_host}


def _run(course, client, todo, bundles, subs, options, task, allowed_failures, bar, done) -> None:
    """Keep every worker busy with one submission, and record each result as it comes back (into
    ``done``)."""
    from distributed import wait

    pending = list(todo)
    futures = {}

    def submit_more():
        # one submission per worker thread: workers that join later (an adaptive Slurm or Kubernetes
        # cluster) get work at the next poll
        room = IN_FLIGHT_PER_WORKER * max(1, sum(client.nthreads().values()))
        while pending and len(futures) < room:
            a, s = pending.pop(0)
            payload = submission_payload(course, a, s)
            subs[(a, s)] = submission_digest(bundles[a]["digest"], payload["files"])  # what is graded
            fut = client.submit(task, bundles[a], payload, options,
                                key=f"grade-{a}-{s}-{uuid.uuid4().hex[:8]}", pure=False, retries=1)
            futures[fut] = (a, s)

    while pending or futures:
        submit_more()
        try:
            finished = wait(list(futures), timeout=settings.RESULT_POLL, return_when="FIRST_COMPLETED").done
        except TimeoutError:
            continue
        for fut in finished:
            a, s = futures.pop(fut)
            submit_more()  # the freed worker gets its next submission before this one is recorded
            step = _finish(course, fut, a, s, subs[(a, s)], allowed_failures)
            done[(a, s)] = step
            status = "ok" if step.ok else f"FAILED — {step.message}"
            bar.echo(f"  autograde {a:<22} {s:<30} {step.seconds:6.1f} s  {status}")
            bar.advance()


def _finish(course, fut, a, s, digest, allowed_failures) -> StepResult:
    """Record one finished future in the course (:func:`labkit.grading.record.gradebook.record`);
    its StepResult."""
    from distributed.scheduler import KilledWorker

    try:
        res = fut.result()
    except KilledWorker as err:
        res = {"assignment": a, "student": s, "ok": False, "seconds": 0.0, "log": str(err),
               "message": f"its grading killed {allowed_failures + 1} worker(s) in a row "
                          "(out of memory, a crash, or the machine went away): not retried again"}
    except Exception as err:  # noqa: BLE001 — one broken task never stops the class
        res = {"assignment": a, "student": s, "ok": False, "seconds": 0.0, "log": repr(err),
               "message": f"the grading task failed: {type(err).__name__}: {str(err)[:200]}"}
    fut.release()
    record(course, res, digest)
    return StepResult(a, s, bool(res["ok"]), float(res.get("seconds") or 0.0), res.get("message") or "",
                      res.get("log") or "", worker=str(res.get("worker", "")))


class _Progress:
    """A rich progress bar (count, students/min, elapsed, ETA) when ``progress`` is on (default: when
    ``echo`` is ``print`` and stdout is a terminal); otherwise only ``echo``."""

    def __init__(self, total: int, echo, progress: bool | None):
        self.total, self._echo = total, echo
        if progress is None:
            progress = echo is print and sys.stdout.isatty()
        self.bar = None
        if progress:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn,
                                       TextColumn, TimeElapsedColumn, TimeRemainingColumn)
            from rich.text import Text

            class Rate(ProgressColumn):
                def render(self, task):
                    return Text(f"{task.speed * 60:5.1f} /min" if task.speed else "  -- /min")

            self.bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), Rate(),
                                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                speed_estimate_period=3600)
            self.task = self.bar.add_task("grading", total=total)

    def __enter__(self):
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()

    def echo(self, line: str) -> None:
        if self.bar is not None:
            self.bar.console.print(line, markup=False, highlight=False)
        else:
            self._echo(line)

    def advance(self) -> None:
        if self.bar is not None:
            self.bar.advance(self.task)
