"""Performance budget (COURSE_SPEC §4): raw notebook execution vs autograde, per assignment.

    python3 tasks.py bench [--repeats N] [ASSIGNMENT ...]

For each assignment it executes the source notebook with nbclient (solutions and hidden tests: the
same code the grader runs) and autogrades the reference submission with the course pipeline, in a
scratch course.
It prints seconds and the ratio autograde / execution, then the totals for one student's whole
course (budget: every notebook <= 60 s; autograde <= 1.15 x execution). It asserts nothing.
"""
from __future__ import annotations

import argparse
import copy
import os
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from labkit import settings
from labkit.grading import samples
from labkit.grading.collect.release import release
from labkit.grading.course import KERNEL_ENV, REPO, Course, ensure_env_on_path
from labkit.grading.run.grade import grade

NOTEBOOK_BUDGET_S = 60.0
RATIO_BUDGET = 1.15


def execute_seconds(nb, workdir: Path) -> float:
    """Wall time of executing ``nb`` top to bottom in a fresh kernel (errors allowed).

    The kernel is stopped the way the grader stops it (``shutdown_kernel="immediate"``, see
    ``nbgrader_config.py``), so both sides of the ratio pay the same kernel start and stop.
    """
    import nbclient

    start = time.perf_counter()
    nbclient.NotebookClient(nb, timeout=settings.BENCH_CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                            shutdown_kernel="immediate",
                            resources={"metadata": {"path": str(workdir)}}).execute()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 tasks.py bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--repeats", type=int, default=1, help="runs per measurement (median)")
    args = parser.parse_args(argv)
    os.environ.update(KERNEL_ENV)
    ensure_env_on_path()
    from labkit import threads

    threads.apply(1)  # one kernel at a time, as execution and autograde are compared alone
    print(f"{threads.cores()} CPU core(s), {threads.describe(1)}")

    with tempfile.TemporaryDirectory(prefix="labkit-bench-") as tmp:
        course = Course.scratch(tmp)
        (course.root / "source").symlink_to(REPO / "source", target_is_directory=True)
        assignments = args.assignments or course.assignments()
        start = time.perf_counter()
        release(course, assignments)
        print(f"release (generate_assignment, {len(assignments)} assignments): "
              f"{time.perf_counter() - start:.1f} s\n")
        rows = []
        for a in assignments:
            nb = samples.reference_notebook(course, a)
            path = samples.write_submission(course, "bench", a, nb)
            source_nb = nbformat.read(course.notebook("source", a), as_version=4)  # hidden tests too
            raw = statistics.median(execute_seconds(copy.deepcopy(source_nb), path.parent)
                                    for _ in range(args.repeats))
            graded, walls = [], []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                [res] = grade(course, [(a, "bench")], feedback=False, echo=lambda _: None)
                walls.append(time.perf_counter() - t0)
                graded.append(res.seconds)
            rows.append((a, raw, statistics.median(graded), statistics.median(walls), res.ok))

    head = (f"{'assignment':<22} {'execute s':>9} {'autograde s':>11} {'ratio':>6} "
            f"{'+worker start s':>15}  budget")
    print(head + "\n" + "-" * len(head))
    for a, raw, ag, wall, ok in rows:
        verdict = "ok" if raw <= NOTEBOOK_BUDGET_S else f"OVER {NOTEBOOK_BUDGET_S:.0f} s"
        print(f"{a:<22} {raw:9.1f} {ag:11.1f} {ag / raw:6.2f} {wall:15.1f}  {verdict}"
              + ("" if ok else "  (autograde FAILED)"))
    raw_total = sum(r[1] for r in rows)
    ag_total = sum(r[2] for r in rows)
    startup = statistics.median(r[3] - r[2] for r in rows)
    course_total = ag_total + startup  # one worker grades a student's whole course
    print("-" * len(head))
    print(f"{'one student, all':<22} {raw_total:9.1f} {ag_total:11.1f} {ag_total / raw_total:6.2f}")
    print(f"\nautograde of a whole course in one batch (one worker start-up of {startup:.1f} s): "
          f"{course_total:.1f} s = {course_total / raw_total:.2f} x execution "
          f"(budget {RATIO_BUDGET} x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
