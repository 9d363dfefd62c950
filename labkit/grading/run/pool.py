"""The previous home-made grading pool (``labkit grade --cluster pool``), kept for comparison
(``python3 tasks.py throughput``).

One worker process (``python -m labkit.grading.run.worker``) grades a batch in order; with
``jobs > 1`` the students are dealt into that many batches graded at the same time (all of one
student's submissions in the same batch, so no two workers create the same gradebook rows). A
submission that runs past its deadline has the worker's whole process group killed, and a fresh
worker grades the rest of the batch.
"""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time

from labkit import settings, threads
from labkit.grading.course import KERNEL_ENV
from labkit.grading.record.runs import StepResult
from labkit.grading.run.sandbox import default_uid
from labkit.grading.run.worker import first_error_line, kill_group, pump


def grade(course, pairs, feedback, timeout, echo, jobs) -> list[StepResult]:
    """Grade ``pairs`` with ``jobs`` worker processes; one StepResult per pair, in order."""
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
    cmd = [sys.executable, "-m", "labkit.grading.run.worker", str(course.root)]
    cmd += ["--no-feedback"] if not feedback else []
    cmd += [f"{a}:{s}" for a, s in pairs]
    # each parallel batch's kernels run as their own uid (when grading as root), so that one
    # student's fork bomb uses up only that uid's process limit, not the neighbour's
    uid = default_uid() + slot
    env = {**os.environ, **KERNEL_ENV, **(thread_env or {}), **course.env(), settings.SANDBOX_UID.name: str(uid)}
    errfile = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errfile, text=True,
                            env=env, start_new_session=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=pump, args=(proc.stdout, lines), daemon=True).start()
    done: list[StepResult] = []
    try:
        for assignment, student in pairs:
            started = time.perf_counter()
            payload = _next_result(lines, started + timeout + settings.STARTUP_ALLOWANCE * (not done))
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
                                 else first_error_line(payload["error"] or payload["log"]),
                                 payload["log"] + payload["error"])
            done.append(res)
            status = "ok" if res.ok else f"FAILED — {res.message}"
            echo(f"  autograde {assignment:<22} {student:<30} {res.seconds:6.1f} s  {status}")
            if payload is _TIMEOUT or payload is None:
                break  # this worker is gone: the caller starts a fresh one for the rest
    finally:
        kill_group(proc)  # nothing the notebooks started survives the batch
        proc.wait()
        errfile.close()
    return done


_TIMEOUT = object()


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
