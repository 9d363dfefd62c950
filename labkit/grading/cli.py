"""``labkit`` — the instructor's command line (run ``labkit --help``).

    labkit demo        release + sample submissions + autograde + feedback + CSV + score table
    labkit release     regenerate release/ from source/ (nbgrader generate_assignment)
    labkit samples     write the reference, blank and catalogue submissions into submitted/
    labkit grade       autograde every submission in submitted/ on a Dask cluster (--cluster; local by
                       default), skipping those already graded and unchanged (--regrade: all);
                       --from PATH first collects an LMS download (folder or .zip of <student>_<assignment>.ipynb)
    labkit report      print the score table, export grades.csv, write reports/class_report.md + plots
    labkit verify      grade reference, blank and catalogue in a scratch root; check each verdict
    labkit check       source notebooks clean, release/ in sync with source/
    labkit strip       remove outputs from every notebook in source/, release/, notebooks/
    labkit export      grades for the LMS: --format moodle|canvas|csv [--out FILE]
    labkit feedback    --zip [FILE]: one feedback HTML per student and assignment, ready to upload
    labkit publish DIR write the student edition (release notebooks, notebooks/, the notebooks' part of
                       labkit, requirements, a Spanish README) into DIR; --zip for one archive
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from labkit.grading import flags as flagging
from labkit.grading import samples
from labkit.grading.check import notebooks as checks
from labkit.grading.collect.lms import submissions
from labkit.grading.collect.release import release
from labkit.grading.course import DB_URL_ENV, Course, GradingError
from labkit.grading.record.gradebook import scores
from labkit.grading.record.runs import StepResult
from labkit.grading.report.scores import export_csv, format_table
from labkit.grading.run.grade import grade


DEFAULT_JOBS = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def _course(args) -> Course:
    return Course(args.root, db_url=getattr(args, "db_url", None))


def cmd_release(args) -> int:
    course = _course(args)
    for path in release(course, args.assignments or None):
        print(f"released {path.relative_to(course.root)}")
    return 0


def cmd_samples(args) -> int:
    course = _course(args)
    pairs = samples.build_samples(course, args.assignments or None)
    print(f"wrote {len(pairs)} sample submissions into {course.submitted}")
    return 0


def cmd_grade(args) -> int:
    from labkit.grading.check import intake
    from labkit.grading.collect import lms

    course = _course(args)
    if getattr(args, "from_path", None):  # an LMS download: into submitted/ first
        collected = lms.collect(course, args.from_path)
        for flag in collected.flags:
            print(flag.line())
        print(f"collected {len(collected.pairs)} submission(s) from {args.from_path} "
              f"({len(collected.copied)} new or changed, {len(collected.flags)} flag(s))")
        pairs = [p for p in collected.pairs if not args.assignments or p[0] in args.assignments]
    else:
        pairs = submissions(course, args.assignments or None)
    if args.student:
        pairs = [p for p in pairs if p[1] in args.student]
    if not pairs:
        print("no submissions found under submitted/<student>/<assignment>/", file=sys.stderr)
        return 1
    pairs, flags = intake.prepare(course, pairs)  # structure checked and repaired before grading
    skipped = intake.not_graded(flags)
    _print_isolation()
    try:
        results = grade(course, pairs, feedback=not args.no_feedback, jobs=args.jobs,
                        cluster=args.cluster, resume=not args.regrade) if pairs else []
    except KeyboardInterrupt:
        print("\ninterrupted: every submission graded so far is saved; run `labkit grade` again to grade "
              "only what is missing", file=sys.stderr)
        return 130
    unchanged = [r for r in results if r.skipped]
    failed = [r for r in results if not r.ok]
    print(f"graded {len(results) - len(failed) - len(unchanged)} of {len(results) + len(skipped)} submissions"
          + (f"; {len(unchanged)} unchanged since they were graded, skipped (--regrade grades them again)"
             if unchanged else ""))
    for (a, s), why in skipped.items():
        print(f"  NOT GRADED {a} {s}: {why}")
    for f in failed:
        print(f"  NOT GRADED {f.assignment} {f.student}: {f.message}")
    return 0


def _print_isolation() -> None:
    from labkit.grading.run.sandbox import isolation_level

    if isolation_level() == "bwrap":
        print("kernel isolation: bubblewrap sandbox (no network, course hidden, resource limits)")
    else:
        print("WARNING: bubblewrap is not available: student kernels get resource limits only and can read "
              "the course (install the `bubblewrap` package; see README, Isolation)")


def cmd_report(args, failures=()) -> int:
    course = _course(args)
    rows = scores(course)
    csv_path = export_csv(course, course.root / args.csv)
    print()
    review = flagging.under_review(course.root)
    print(format_table(rows, failures, review))
    if review:
        print(f"\n{len(review)} submission(s) pendiente(s) de revisión (REVIEW): their grade is not final until "
              "you have looked at the flags (reports/class_report.md, reports/flags.jsonl)")
    print(f"\ngrades CSV: {csv_path}")
    from labkit.grading.report.class_report import build

    print(f"class report: {build(course)} (+ PNG plots next to it)")
    if course.feedback.is_dir():
        print(f"feedback HTML: {course.feedback}/<student>/<assignment>/<assignment>.html")
    return 0


def cmd_demo(args) -> int:
    start = time.perf_counter()
    course = _course(args)
    print("== 1/4 release: regenerating release/ from source/")
    cmd_release(args)
    wrong = None if args.wrong == "all" else int(args.wrong)
    print(f"== 2/4 samples: reference, blank and {args.wrong} catalogue mistake(s) per assignment")
    pairs = samples.build_samples(course, args.assignments or None, wrong)
    print(f"wrote {len(pairs)} submissions")
    print("== 3/4 intake checks, then autograde + feedback (each kernel in the sandbox, or under "
          "resource limits where bubblewrap is missing or LAB08_SANDBOX=off)")
    from labkit.grading.check import intake

    pairs, flags = intake.prepare(course, pairs)  # structure checked and repaired before grading
    _print_isolation()
    results = grade(course, pairs, jobs=args.jobs)
    print("== 4/4 report")
    failures = [r for r in results if not r.ok]
    failures += [StepResult(a, s, False, 0.0, why) for (a, s), why in intake.not_graded(flags).items()]
    cmd_report(args, failures)
    print(f"\ndone in {time.perf_counter() - start:.0f} s")
    return 0


def cmd_verify(args) -> int:
    """Grade the samples of some assignments in a throw-away course root and check each verdict."""
    import tempfile
    from pathlib import Path

    start = time.perf_counter()
    course = _course(args)
    wanted = args.assignments or course.assignments()
    every = samples.catalogue(wanted) + samples.adversarial(wanted) if args.student else samples.catalogue(wanted)
    specs = {(s.assignment, s.student): s for s in every if not args.student or s.student in args.student}
    for s in list(specs.values()):  # an attack is graded with its twin
        twin = next((t for t in every if t.student == s.twin and t.assignment == s.assignment), None) if s.attack else None
        if s.attack and twin is None:
            raise SystemExit(f"{s.path}: twin '{s.twin}' not found in tests/adversarial/{s.assignment}/")
        if twin is not None:
            specs.setdefault((twin.assignment, twin.student), twin)
    pairs = [(a, s) for a in wanted for s in ("reference", "blank")
             if not args.student or s in args.student] + sorted(specs)
    with tempfile.TemporaryDirectory(prefix="labkit-verify-") as tmp:
        scratch = Course.scratch(Path(tmp))  # its own SQLite gradebook, never --db-url's
        (scratch.root / "source").symlink_to(course.root / "source", target_is_directory=True)
        release(scratch, wanted)
        specs_all = dict(specs)
        for a, s in pairs:
            nb = (samples.reference_notebook(scratch, a) if s == "reference" else
                  samples.blank_notebook(scratch, a) if s == "blank" else
                  samples.spec_notebook(scratch, specs_all[(a, s)]))
            samples.write_submission(scratch, s, a, nb)
        results = {(r.assignment, r.student): r
                   for r in grade(scratch, pairs, feedback=False, jobs=args.jobs)}
        got = {(r.assignment, r.student): r for r in scores(scratch)}
        bad = 0
        review = flagging.under_review(scratch.root)
        print()
        for pair in pairs:
            score = got.get(pair)
            spec = specs.get(pair)
            if not results[pair].ok:
                problems = [f"not graded: {results[pair].message}"]
            elif spec is not None and spec.attack:
                problems = samples.attack_problems(spec, score, got.get((pair[0], spec.twin)))
            else:
                problems = samples.verdict(pair[1], score, spec)
            if pair[1] == "reference" and results[pair].ok:
                noisy = samples.stderr_cells(scratch.notebook("autograded", *pair))
                problems += [f"writes to stderr in {noisy}"] if noisy else []
            bad += bool(problems)
            pts = f"{score.code_score:5.1f} / {score.max_code_score:4.1f}" if score else "    -"
            if pair[1] == "reference" or (spec is not None and spec.expect_full):
                problems += [f"flagged for review: {review[pair]}"] if pair in review else []
            note = (f"  [pendiente de revisión: {'; '.join(review[pair])[:120]}]"
                    if pair in review and not problems else "")
            print(f"{'ok ' if not problems else 'BAD'} {pair[0]:<22} {pair[1]:<36} {pts}  {'; '.join(problems)}{note}")
    print(f"\n{len(pairs) - bad} of {len(pairs)} samples as expected ({time.perf_counter() - start:.0f} s)")
    return 1 if bad else 0


def cmd_check(args) -> int:
    course = _course(args)
    problems = checks.source_problems(course) + checks.terminology_problems(course)
    print("source notebooks:", "clean" if not problems else f"{len(problems)} problem(s)")
    drift = checks.release_drift(course)
    print("release/:", "in sync with source/" if not drift else f"{len(drift)} difference(s)")
    for p in problems + drift:
        print("  -", p)
    if drift:
        print("run `labkit release` and commit release/")
    return 1 if problems or drift else 0


def cmd_strip(args) -> int:
    changed = [p for p in checks.notebooks_to_strip(_course(args).root) if checks.strip_outputs(p)]
    for p in changed:
        print(f"stripped {p}")
    print(f"{len(changed)} notebook(s) changed")
    return 0


def cmd_export(args) -> int:
    from labkit.grading.report import export

    course = _course(args)
    out = Path(args.out or course.root / f"grades_{args.format}.csv")
    path, withheld = export.export(course, args.format, out, include_under_review=args.include_under_review)
    print(f"grades for {args.format}: {path}")
    for a, s in withheld:
        print(f"  left empty (pendiente de revisión): {a} {s} — review it, or pass --include-under-review")
    return 0


def cmd_feedback(args) -> int:
    from labkit.grading.report import export

    course = _course(args)
    if not args.zip:
        print(f"feedback HTML is in {course.feedback}/<student>/<assignment>/<assignment>.html; "
              "`labkit feedback --zip` packages it")
        return 0
    out, count = export.feedback_zip(course, args.zip)
    print(f"{count} feedback file(s) in {out} (named <student>_<assignment>.html)")
    return 0 if count else 1


def cmd_publish(args) -> int:
    from labkit.grading import publish

    course = _course(args)
    out = publish.build(course, args.dest, make_zip=args.zip)
    files = sorted(p for p in (out.parent / out.stem if out.suffix == ".zip" else out).rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in files)
    print(f"student edition: {out} ({len(files)} files, {size / 1024:.0f} KiB); "
          "no line of any solution or hidden test found in it")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except GradingError as err:
        print(f"labkit {args.command}: {err}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labkit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default=str(Course().root),
                        help="course root (default: this repository)")
    parser.add_argument("--db-url", default=None, metavar="URL",
                        help=f"gradebook SQLAlchemy URL, e.g. postgresql://user@host/lab08 "
                             f"(default: ${DB_URL_ENV}, else SQLite <root>/gradebook.db)")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, fn in [("demo", cmd_demo), ("release", cmd_release), ("samples", cmd_samples),
                     ("grade", cmd_grade), ("verify", cmd_verify), ("report", lambda a: cmd_report(a)),
                     ("check", cmd_check), ("strip", cmd_strip), ("publish", cmd_publish),
                     ("export", cmd_export), ("feedback", cmd_feedback)]:
        p = sub.add_parser(name)
        p.set_defaults(func=fn)
        _add_options(p, name)
    return parser


def _add_options(p: argparse.ArgumentParser, name: str) -> None:
    """The options of the subcommand ``name``."""
    if name in {"demo", "release", "samples", "grade", "verify"}:
        p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    if name in {"grade", "verify"}:
        p.add_argument("--student", action="append", help="only these students")
    if name == "grade":
        _add_grade_options(p)
    if name == "demo":
        p.add_argument("--wrong", default="1",
                       help="wrong submissions per assignment from tests/submissions (a number or 'all')")
    if name in {"demo", "grade", "verify"}:
        p.add_argument("--jobs", "-j", type=int, default=DEFAULT_JOBS,
                       help=f"students graded at the same time (default {DEFAULT_JOBS}: one per CPU core, at most 4)")
    if name == "export":
        p.add_argument("--format", choices=["moodle", "canvas", "csv"], default="csv")
        p.add_argument("--out", default=None, help="output file (default: <root>/grades_<format>.csv)")
        p.add_argument("--include-under-review", action="store_true",
                       help="also export the grades of submissions pendiente de revisión")
    if name == "feedback":
        p.add_argument("--zip", nargs="?", const="feedback.zip", default=None, metavar="FILE",
                       help="write the zip (default feedback.zip)")
    if name == "publish":
        p.add_argument("dest", metavar="DIR", help="folder for the edition (created or replaced)")
        p.add_argument("--zip", action="store_true", help="also write DIR.zip")
    if name in {"demo", "report"}:
        p.add_argument("--csv", default="grades.csv", help="grades CSV (relative to the root)")


def _add_grade_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-feedback", action="store_true")
    p.add_argument("--cluster", default=None, metavar="WHERE",
                   help="where to grade: local (default, also $LAB08_CLUSTER: a Dask LocalCluster of "
                        "--jobs workers), tcp://HOST:8786 (a running Dask scheduler), module:function "
                        "(returns a Dask cluster or client: dask-jobqueue, dask-kubernetes), or pool "
                        "(the previous process pool)")
    p.add_argument("--regrade", action="store_true",
                   help="grade every submission again (default: skip those graded before whose files "
                        "and assignment did not change)")
    p.add_argument("--resume", action="store_true",
                   help="grade only what is missing or changed (the default; kept for scripts)")
    p.add_argument("--from", dest="from_path", metavar="PATH",
                   help="first collect an LMS download (a folder or .zip of <student>_<assignment>.ipynb) "
                        "into submitted/, then grade what it collected")

if __name__ == "__main__":
    sys.exit(main())
