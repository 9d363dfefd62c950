"""Grading throughput for a whole class: students per minute with 1, 2, ... parallel workers.

    python3 tasks.py throughput [--students N] [--jobs 1 2 4] [--assignment A [A ...]] [--threads share all]
                                [--cluster local pool]
    python -m labkit.grading.throughput ...   (the same, in the course environment)

For each ``--jobs`` value it builds a fresh scratch course (its own SQLite gradebook, in a temporary
folder, whatever ``$LAB08_DB_URL`` says), writes ``N`` copies of the reference submission under
different student ids, and grades them with the course pipeline exactly as ``labkit grade --jobs j``
does (autograde + feedback HTML). The release step is not timed. It prints wall seconds, students per
minute and the speed-up over ``--jobs 1``; it exits 1 only when a submission could not be graded.
``--threads share`` (the course's rule, :mod:`labkit.threads`: each of N kernels on C cores gets
C // N threads) is compared with ``--threads all`` (every kernel uses every core, as the frameworks do
by default): the header line of each block says which.

``--cluster`` names the engines measured (default ``local pool``): ``local`` is the Dask engine
(:mod:`labkit.grading.run.engine`, a ``LocalCluster`` of ``jobs`` workers, started inside the timed
interval), ``pool`` the previous home-made pool, ``tcp://HOST:8786`` a running scheduler. With the
pool in the list, each Dask row is followed by the engine's overhead against the pool on the same
machine: the extra wall seconds per task, with and without the cluster's start, as a percentage of
the pool's wall time (the pool is measured with ``--threads share`` only).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
from pathlib import Path

from labkit import threads
from labkit.grading import samples
from labkit.grading.collect.release import release
from labkit.grading.course import KERNEL_ENV, REPO, Course, ensure_env_on_path
from labkit.grading.record.gradebook import scores
from labkit.grading.run.grade import grade


def measure(assignment: str, students: int, jobs: int, echo=lambda _: None, cluster: str = "local") -> dict:
    """Grade ``students`` reference submissions with ``jobs`` workers in a fresh scratch course."""
    with tempfile.TemporaryDirectory(prefix="labkit-throughput-") as tmp:
        course = Course.scratch(Path(tmp))
        (course.root / "source").symlink_to(REPO / "source", target_is_directory=True)
        release(course, [assignment])
        nb = samples.reference_notebook(course, assignment)
        pairs = [(assignment, f"student{i:03d}") for i in range(1, students + 1)]
        for a, s in pairs:
            samples.write_submission(course, s, a, nb)
        from labkit.grading.run import engine

        engine.LAST_RUN.clear()
        start = time.perf_counter()
        results = grade(course, pairs, feedback=True, jobs=jobs, echo=echo, cluster=cluster,
                        progress=False)
        wall = time.perf_counter() - start
        full = sum(1 for s in scores(course) if s.full)
    return {"jobs": jobs, "students": students, "wall": wall, "ok": sum(r.ok for r in results),
            "full": full, "per_student": sum(r.seconds for r in results) / max(1, len(results)),
            "threads": threads.share(min(jobs, students)), "cluster": cluster,
            "startup": engine.LAST_RUN.get("startup", 0.0) if cluster != "pool" else 0.0}


@contextlib.contextmanager
def thread_mode(mode: str):
    """``share``: the course's rule; ``all``: every kernel gets every core (the frameworks' default)."""
    saved = {k: os.environ.get(k) for k in threads.MANAGED}
    try:
        for k in threads.MANAGED:
            os.environ.pop(k, None)
        if mode == "all":
            os.environ[threads.SHARE_VAR] = str(threads.cores())
        yield
    finally:
        threads.restore(saved)


def format_rows(rows: list[dict]) -> str:
    head = (f"{'engine':>6} {'jobs':>4} {'threads':>7} {'students':>8} {'wall s':>8} {'students/min':>12} "
            f"{'speed-up':>8} {'s/student':>9} {'start s':>7}  graded")
    lines = [head, "-" * len(head)]
    for r in rows:
        base = next((b["wall"] for b in rows if b["jobs"] == 1 and b["cluster"] == r["cluster"]), None)
        speedup = f"{base / r['wall']:7.2f}x" if base else f"{'-':>8}"
        engine = "pool" if r["cluster"] == "pool" else "dask"
        lines.append(f"{engine:>6} {r['jobs']:>4} {r['threads']:>7} {r['students']:>8} {r['wall']:8.1f} "
                     f"{60 * r['students'] / r['wall']:12.1f} {speedup} {r['per_student']:9.1f} "
                     f"{r['startup']:7.1f}  {r['ok']}/{r['students']} ok, {r['full']} full marks")
    for r in rows:
        pool = next((p for p in rows if p["cluster"] == "pool" and p["jobs"] == r["jobs"]), None)
        if r["cluster"] == "pool" or pool is None:
            continue
        extra, warm = r["wall"] - pool["wall"], r["wall"] - r["startup"] - pool["wall"]
        per_task = r["students"] / max(1, min(r["jobs"], r["students"]))  # tasks one worker ran
        lines.append(f"engine overhead vs pool, jobs={r['jobs']}: {extra / per_task:+.2f} s per task "
                     f"({100 * extra / pool['wall']:+.1f} % of the pool's wall time); without the cluster's "
                     f"start ({r['startup']:.1f} s): {warm / per_task:+.2f} s per task "
                     f"({100 * warm / pool['wall']:+.1f} %)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 tasks.py throughput", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", "-n", type=int, default=6, help="submissions to grade (default 6)")
    parser.add_argument("--jobs", "-j", type=int, nargs="+", default=[1, 2],
                        help="parallel workers to compare (default: 1 2)")
    parser.add_argument("--assignment", nargs="+", default=["part0_numpy_bridge", "part1_pytorch"],
                        help="assignments whose reference solution is graded (default part0 and part1)")
    parser.add_argument("--threads", nargs="+", choices=["share", "all"], default=["share", "all"],
                        help="thread rule(s) to compare (default: share all)")
    parser.add_argument("--cluster", nargs="+", default=["local", "pool"],
                        help="engines to measure: local (Dask LocalCluster), pool (the previous process pool), "
                             "tcp://HOST:8786 (a running Dask scheduler); default: local pool")
    parser.add_argument("--verbose", "-v", action="store_true", help="one line per graded submission")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.assignment) - set(Course().assignments()))
    if unknown:
        parser.error(f"unknown assignment(s) {unknown}")
    os.environ.update(KERNEL_ENV)
    ensure_env_on_path()

    ok = True
    for assignment in args.assignment:
        for mode in args.threads:
            with thread_mode(mode):
                rule = "; ".join(f"jobs={j}: {threads.describe(min(j, args.students))}" for j in args.jobs)
                print(f"{assignment}: {args.students} reference submissions, autograde + feedback, "
                      f"{threads.cores()} CPU core(s), --threads {mode} ({rule})", flush=True)
                engines = [c for c in args.cluster if c != "pool" or mode == "share"]
                rows = [measure(assignment, args.students, jobs, print if args.verbose else (lambda _: None),
                                cluster) for cluster in engines for jobs in args.jobs]
            print(format_rows(rows) + "\n", flush=True)
            ok &= all(r["ok"] == r["students"] for r in rows)
    print("wall s: from the grading call to the last result recorded, the cluster's start included (release "
          "not included); s/student: mean autograde + feedback time inside a grading process; start s: "
          "seconds to start the Dask cluster (inside wall s)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
