"""The grading pipeline: release -> autograde -> feedback -> export -> report."""
from __future__ import annotations

import csv
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from labkit import threads
from labkit.grading.course import KERNEL_ENV, Course, GradingError
from labkit.grading.sandbox import default_uid

NOTEBOOK_TIMEOUT = 900  # seconds of wall clock for one student's notebook, kernel start included


@dataclass
class StepResult:
    """What happened when one nbgrader step ran for one student and assignment."""

    assignment: str
    student: str
    ok: bool
    seconds: float
    message: str = ""
    log: str = field(default="", repr=False)
    skipped: bool = False  # graded before and unchanged since (``labkit grade`` without ``--regrade``)
    worker: str = ""  # the Dask worker whose result was recorded (empty for the pool)


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


def grade(course: Course, pairs: list[tuple[str, str]], *, feedback: bool = True,
          timeout: float = NOTEBOOK_TIMEOUT, echo=print, jobs: int = 1, cluster: str | None = None,
          resume: bool = False, progress: bool | None = None, **engine_options) -> list[StepResult]:
    """Autograde (and generate feedback for) each (assignment, student); results in the order of ``pairs``.

    ``cluster`` chooses the engine: ``"local"`` (default, also ``$LAB08_CLUSTER``): a Dask
    ``LocalCluster`` of ``jobs`` worker processes; ``"tcp://HOST:8786"``: an existing Dask scheduler;
    ``"module:function"``: an entry point returning a Dask cluster or client (see
    :mod:`labkit.grading.engine`); ``"pool"``: the previous home-made pool (below). On every engine a
    submission that takes longer than ``timeout`` seconds has its processes killed and is recorded as
    failed with the reason, and the others go on. ``resume``: skip the submissions already graded whose
    files (and assignment) did not change since.

    The pool: one worker process grades a batch in order; with ``jobs > 1`` the students are dealt into
    that many batches graded at the same time (all of one student's submissions in the same batch, so
    no two workers create the same gradebook rows).
    """
    from labkit.grading.report import log_runs

    from labkit.grading.checks import gradebook_problems

    tampered = gradebook_problems(course, sorted({a for a, _ in pairs}))
    if tampered:
        raise GradingError("the gradebook does not match source/ (stored tests or points changed): "
                           + "; ".join(tampered[:5]) + " — run `labkit release` to rebuild it, then grade again")
    cluster = cluster or os.environ.get("LAB08_CLUSTER") or "local"
    if cluster == "pool":
        results = _grade_pool(course, pairs, feedback, timeout, echo, jobs)
    else:
        from labkit.grading import engine

        results = engine.grade(course, pairs, feedback=feedback, timeout=timeout, echo=echo, jobs=jobs,
                               cluster=cluster, resume=resume, progress=progress, **engine_options)
    log_runs(course, [r for r in results if not r.skipped])
    return results


def _grade_pool(course, pairs, feedback, timeout, echo, jobs) -> list[StepResult]:
    parallel = min(jobs, len({s for _, s in pairs})) if jobs > 1 else 1
    thread_env = threads.plan(parallel)  # each kernel's share of the cores: no oversubscription
    if parallel > 1:
        return _grade_parallel(course, pairs, feedback, timeout, echo, jobs, thread_env)
    return _grade_batch(course, pairs, feedback, timeout, echo, thread_env=thread_env)


def _grade_parallel(course, pairs, feedback, timeout, echo, jobs, thread_env) -> list[StepResult]:
    from concurrent.futures import ThreadPoolExecutor

    students = sorted({s for _, s in pairs})
    load = {s: sum(1 for _, t in pairs if t == s) for s in students}
    buckets: list[list[tuple[str, str]]] = [[] for _ in range(min(jobs, len(students)))]
    for student in sorted(students, key=lambda s: -load[s]):  # greedy: biggest student first
        min(buckets, key=len).extend(p for p in pairs if p[1] == student)
    lock = threading.Lock()

    def locked_echo(line):
        with lock:
            echo(line)

    with ThreadPoolExecutor(len(buckets)) as pool:
        futures = [pool.submit(_grade_batch, course, b, feedback, timeout, locked_echo, slot, thread_env)
                   for slot, b in enumerate(buckets)]
        by_pair = {(r.assignment, r.student): r for f in futures for r in f.result()}
    return [by_pair[p] for p in pairs]


def _grade_batch(course, pairs, feedback, timeout, echo, slot: int = 0,
                 thread_env: dict | None = None) -> list[StepResult]:
    results: list[StepResult] = []
    remaining = list(pairs)
    while remaining:
        done = _run_worker(course, remaining, feedback, timeout, echo, slot, thread_env or {})
        results += done
        remaining = remaining[len(done):]
    return results


def _run_worker(course, pairs, feedback, timeout, echo, slot: int = 0,
                thread_env: dict | None = None) -> list[StepResult]:
    cmd = [sys.executable, "-m", "labkit.grading.worker", str(course.root)]
    cmd += ["--no-feedback"] if not feedback else []
    cmd += [f"{a}:{s}" for a, s in pairs]
    # each parallel batch's kernels run as their own uid (when grading as root), so that one
    # student's fork bomb uses up only that uid's process limit, not the neighbour's
    uid = default_uid() + slot
    env = {**os.environ, **KERNEL_ENV, **(thread_env or {}), **course.env(), "LAB08_SANDBOX_UID": str(uid)}
    errfile = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errfile, text=True,
                            env=env, start_new_session=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    done: list[StepResult] = []
    try:
        for assignment, student in pairs:
            started = time.perf_counter()
            payload = _next_result(lines, started + timeout + _STARTUP_ALLOWANCE * (not done))
            seconds = time.perf_counter() - started
            if payload is _TIMEOUT:
                res = StepResult(assignment, student, False, seconds,
                                 f"more than {timeout:.0f} s: stopped and its processes killed")
            elif payload is None:
                errfile.seek(0)
                res = StepResult(assignment, student, False, seconds,
                                 f"the grading process died (exit code {proc.wait()})",
                                 errfile.read()[-4000:])
            else:
                res = StepResult(assignment, student, payload["success"], payload["seconds"],
                                 "" if payload["success"] and not payload["error"]
                                 else _first_error_line(payload["error"] or payload["log"]),
                                 payload["log"] + payload["error"])
            done.append(res)
            status = "ok" if res.ok else f"FAILED — {res.message}"
            echo(f"  autograde {assignment:<22} {student:<30} {res.seconds:6.1f} s  {status}")
            if payload is _TIMEOUT or payload is None:
                break  # this worker is gone: the caller starts a fresh one for the rest
    finally:
        _kill_group(proc)  # nothing the notebooks started survives the batch
        proc.wait()
        errfile.close()
    return done


_TIMEOUT = object()
_STARTUP_ALLOWANCE = 60.0  # importing nbgrader in a fresh worker


def _pump(stream, lines: queue.Queue) -> None:
    for line in stream:
        if line.startswith("{"):
            lines.put(line)
    lines.put(None)  # end of output: the worker exited


def _next_result(lines: queue.Queue, deadline: float):
    try:
        line = lines.get(timeout=max(0.0, deadline - time.perf_counter()))
    except queue.Empty:
        return _TIMEOUT
    if line is None:
        return None
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _first_error_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    errors = [ln for ln in lines if "Error" in ln or "error" in ln]
    return (errors[-1] if errors else lines[-1] if lines else "unknown error")[:300]


def submissions(course: Course, assignments: list[str] | None = None) -> list[tuple[str, str]]:
    """(assignment, student) pairs found under ``submitted/<student>/<assignment>/``."""
    wanted = set(assignments or course.assignments())
    pairs = []
    if course.submitted.is_dir():
        for student_dir in sorted(p for p in course.submitted.iterdir() if p.is_dir()):
            for a_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
                if a_dir.name in wanted:
                    pairs.append((a_dir.name, student_dir.name))
    return pairs


# --- scores ------------------------------------------------------------------------------------

@dataclass
class Score:
    """One student's autograded result for one assignment, with per-test-cell detail."""

    assignment: str
    student: str
    code_score: float
    max_code_score: float
    manual_pending: int
    max_manual_score: float
    cells: dict[str, tuple[float, float]]  # test grade_id -> (score, max)

    @property
    def full(self) -> bool:
        return self.max_code_score > 0 and abs(self.code_score - self.max_code_score) < 1e-9


def scores(course: Course) -> list[Score]:
    """Every autograded submission in the gradebook."""
    out = []
    with course.gradebook() as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                cells, pending, manual_max = {}, 0, 0.0
                for nb in sub.notebooks:
                    for g in nb.grades:
                        if g.cell.cell_type == "code" and g.auto_score is not None:
                            cells[g.name] = (float(g.score), float(g.max_score))
                        else:
                            manual_max += float(g.max_score)
                            pending += int(bool(g.needs_manual_grade))
                out.append(Score(assignment.name, sub.student.id, float(sub.code_score),
                                 float(sub.max_code_score), pending, manual_max, cells))
    return sorted(out, key=lambda s: (s.assignment, s.student))


def export_csv(course: Course, path: Path) -> Path:
    """Write the grades CSV with nbgrader's own exporter (``nbgrader export``), plus a ``review``
    column: ``pendiente de revisión: …`` for a submission under review (see
    :data:`labkit.grading.flags.REVIEW_KINDS`), empty otherwise."""
    from nbgrader.plugins import CsvExportPlugin

    from labkit.grading.flags import review_note, under_review

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with course.gradebook() as gb:
        CsvExportPlugin(to=str(path)).export(gb)
    review = under_review(course.root)
    rows = read_csv(path)
    if rows:
        fields = list(rows[0].keys()) + ["review"]
        for row in rows:
            reasons = review.get((row.get("assignment"), row.get("student_id")))
            row["review"] = review_note(reasons) if reasons else ""
        with open(path, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    return path


def format_table(rows: list[Score], failures: list[StepResult] = (), review: dict | None = None) -> str:
    """A plain-text score table, one line per student and assignment; ``review`` (from
    :func:`labkit.grading.flags.under_review`) marks the submissions *pendiente de revisión*."""
    review = review or {}
    w = max([len("student")] + [len(r.student) for r in rows] + [len(f.student) for f in failures])
    head = f"{'assignment':<22} {'student':<{w}} {'autograded':>15} {'':>5}  manual"
    lines = [head, "-" * len(head)]
    for s in rows:
        pct = 100 * s.code_score / s.max_code_score if s.max_code_score else 0.0
        manual = f"{s.manual_pending} to grade ({s.max_manual_score:g} pts)" if s.max_manual_score else "-"
        flag = "  REVIEW (" + "; ".join(review[(s.assignment, s.student)]) + ")" if (s.assignment, s.student) in review else ""
        lines.append(f"{s.assignment:<22} {s.student:<{w}} {s.code_score:6.1f} / {s.max_code_score:5.1f}"
                     f" {pct:4.0f}%  {manual}{flag}")
    for f in failures:
        lines.append(f"{f.assignment:<22} {f.student:<{w}} {'NOT GRADED':>15}        {f.message}")
    return "\n".join(lines)


def write_scores_json(rows: list[Score], path: Path) -> Path:
    """Per-cell scores as JSON (for tests and dashboards)."""
    data = [{"assignment": s.assignment, "student": s.student, "code_score": s.code_score,
             "max_code_score": s.max_code_score, "cells": s.cells} for s in rows]
    Path(path).write_text(json.dumps(data, indent=1))
    return Path(path)


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))
