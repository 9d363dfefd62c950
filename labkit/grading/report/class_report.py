"""The class report an instructor reads after grading: ``reports/class_report.md`` plus PNG plots.

It combines the gradebook (scores per student and per test cell) with the grading log that
``labkit grade`` appends to (``reports/grading_runs.jsonl``, :mod:`labkit.grading.record.runs`: runtime
and outcome per submission):

* score distribution per assignment (histogram of autograded percentages);
* the most-failed test cells (how many students lost points in each) — where the class struggles;
* runtime per notebook (box plot per assignment) — notebooks that get close to the timeouts;
* flagged submissions: not graded (corrupt, crashed, timed out) and any score above its maximum,
  then the latest flag per assignment, student and kind from ``reports/flags.jsonl``
  (:mod:`labkit.grading.flags`: intake, static, integrity, sandbox).
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from pathlib import Path

from labkit.grading.course import Course
from labkit.grading.flags import Flag, read_flags, review_note, under_review
from labkit.grading.record.gradebook import scores
from labkit.grading.record.runs import RUNS_FILE, read_runs, reports_dir


def latest_flags(course: Course) -> list[Flag]:
    """The latest flag per (assignment, student, kind) in ``reports/flags.jsonl``, sorted by
    assignment and student (a flag about no student, e.g. an unmapped file, is kept per message)."""
    latest: dict[tuple, Flag] = {}
    for flag in read_flags(course.root):
        who = (flag.assignment or "", flag.student or "")
        key = (*who, flag.kind) + (() if who[1] else (flag.message,))
        latest.pop(key, None)  # re-insert: the latest wins, in the order it was raised
        latest[key] = flag
    return sorted(latest.values(), key=lambda f: (f.assignment or "~", f.student or "~"))


def build(course: Course, out_dir: Path | None = None, top: int = 15) -> Path:
    """Write the Markdown report and its plots; return the report's path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir) if out_dir else reports_dir(course)
    out.mkdir(parents=True, exist_ok=True)
    rows = scores(course)
    runs = read_runs(course)
    by_assignment: dict[str, list] = defaultdict(list)
    for s in rows:
        by_assignment[s.assignment].append(s)
    lines = ["# Class report", "", f"Generated {time.strftime('%Y-%m-%d %H:%M')} from `{course.root}`.", ""]
    lines += _scores_section(by_assignment, sorted(set(by_assignment) | {a for a, _ in runs}), out, plt)
    lines += _failed_section(rows, by_assignment, top, out, plt)
    lines += _runtime_section(runs, out, plt)
    lines += _flags_section(course, rows, runs)
    path = out / "class_report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _scores_section(by_assignment: dict[str, list], assignments: list[str], out: Path, plt) -> list[str]:
    """Score distribution per assignment: a table and a histogram per assignment."""
    lines = ["## Scores per assignment", "",
             "| assignment | graded | mean | median | min | max | full marks | manual to grade |",
             "|---|---|---|---|---|---|---|---|"]
    for a in assignments:
        ss = by_assignment.get(a, [])
        pct = sorted(100 * s.code_score / s.max_code_score for s in ss if s.max_code_score)
        if not pct:
            lines.append(f"| {a} | 0 | - | - | - | - | - | - |")
            continue
        med = pct[len(pct) // 2] if len(pct) % 2 else (pct[len(pct) // 2 - 1] + pct[len(pct) // 2]) / 2
        lines.append(f"| {a} | {len(pct)} | {sum(pct) / len(pct):.0f}% | {med:.0f}% | {pct[0]:.0f}% | "
                     f"{pct[-1]:.0f}% | {sum(s.full for s in ss)} | {sum(s.manual_pending for s in ss)} |")
    if by_assignment:
        n = len(by_assignment)
        fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 2.8), squeeze=False, sharey=True)
        for ax, (a, ss) in zip(axes[0], sorted(by_assignment.items())):
            ax.hist([100 * s.code_score / s.max_code_score for s in ss if s.max_code_score],
                    bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.01], color="#4c72b0")
            ax.set_title(a, fontsize=8)
            ax.set_xlabel("autograded %")
        axes[0][0].set_ylabel("students")
        fig.tight_layout()
        fig.savefig(out / "score_distribution.png", dpi=110)
        plt.close(fig)
        lines += ["", "![score distribution](score_distribution.png)"]
    return lines


def _failed_section(rows, by_assignment: dict[str, list], top: int, out: Path, plt) -> list[str]:
    """The most-failed test cells: how many students lost points in each."""
    failed = Counter()
    for s in rows:
        for cell, (got, maximum) in s.cells.items():
            if got < maximum:
                failed[(s.assignment, cell)] += 1
    lines = ["", "## Most-failed tests", ""]
    if not failed:
        return lines + ["No test cell lost points."]
    lines += ["| assignment | test cell | students who lost points |", "|---|---|---|"]
    lines += [f"| {a} | `{c}` | {k} of {len(by_assignment[a])} |" for (a, c), k in failed.most_common(top)]
    worst = failed.most_common(top)[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(worst) + 1))
    ax.barh([f"{a}:{c}" for (a, c), _ in worst], [k for _, k in worst], color="#c44e52")
    ax.set_xlabel("students who lost points")
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    fig.savefig(out / "most_failed_tests.png", dpi=110)
    plt.close(fig)
    return lines + ["", "![most-failed tests](most_failed_tests.png)"]


def _runtime_section(runs: dict, out: Path, plt) -> list[str]:
    """Runtime per notebook: a table and a box plot per assignment."""
    times: dict[str, list[float]] = defaultdict(list)
    for (a, _), run in runs.items():
        times[a].append(float(run.get("seconds", 0.0)))
    lines = ["", "## Runtime per notebook", ""]
    if not times:
        return lines + [f"No grading log yet (`reports/{RUNS_FILE}` is written by `labkit grade`)."]
    lines += ["| assignment | runs | median s | max s |", "|---|---|---|---|"]
    for a, ts in sorted(times.items()):
        ts = sorted(ts)
        lines.append(f"| {a} | {len(ts)} | {ts[len(ts) // 2]:.1f} | {ts[-1]:.1f} |")
    fig, ax = plt.subplots(figsize=(1.2 * len(times) + 2, 3))
    ax.boxplot([sorted(v) for _, v in sorted(times.items())])
    ax.set_xticks(range(1, len(times) + 1), [a for a, _ in sorted(times.items())],
                  rotation=30, ha="right", fontsize=7)
    ax.set_ylabel("seconds per notebook")
    fig.tight_layout()
    fig.savefig(out / "runtime_per_notebook.png", dpi=110)
    plt.close(fig)
    return lines + ["", "![runtime per notebook](runtime_per_notebook.png)"]


def _flags_section(course: Course, rows, runs: dict) -> list[str]:
    """Flagged submissions (not graded, score above the maximum), those under review, and the
    latest flag per assignment, student and kind."""
    flagged = [(a, s, run.get("message") or "not graded") for (a, s), run in sorted(runs.items())
               if not run.get("ok", True)]
    flagged += [(s.assignment, s.student, f"score {s.code_score:g} above the maximum {s.max_code_score:g}")
                for s in rows if s.code_score > s.max_code_score + 1e-9]
    lines = ["", "## Flagged submissions", ""]
    if flagged:
        lines += ["| assignment | student | reason |", "|---|---|---|"]
        lines += [f"| {a} | {s} | {why.replace('|', '/')} |" for a, s, why in flagged]
    review = under_review(course.root)
    lines += ["", "## Pendiente de revisión (under review)", ""]
    if review:
        lines += ["A grade here is not final: the probe or the static scan found tampering, code that calls for a "
                  "manual look, or active content in the outputs (see the flags below).", "",
                  "| assignment | student | why |", "|---|---|---|"]
        lines += [f"| {a} | {s} | {review_note(why).replace('|', '/')} |" for (a, s), why in sorted(review.items())]
    else:
        lines.append("None.")
    notes = latest_flags(course)
    if not flagged:
        lines.append("No grading run failed." if notes else "None: every submission was graded.")
    if notes:
        lines += ["", "Flags raised by intake and grading (`reports/flags.jsonl`, the latest per assignment, "
                  "student and kind):", "",
                  "| assignment | student | source | kind | message |", "|---|---|---|---|---|"]
        lines += [f"| {f.assignment or '-'} | {f.student or '-'} | {f.source} | "
                  f"{f.kind} | {' '.join(str(f.message).split()).replace('|', '/')} |" for f in notes]
    return lines
