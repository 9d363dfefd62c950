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
    the previous home-made pool of ``python -m labkit.grading.worker`` processes (kept for comparison,
    ``python3 tasks.py throughput``).

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

On the worker, :func:`grade_task` builds (once per assignment version, under the worker's local
directory) a scratch course root with that ``source/``, ``release/`` and gradebook, writes the
submission into ``submitted/``, and sends it to a long-lived ``python -m labkit.grading.worker
--serve`` process of its own (nbgrader is imported once per worker, as in the old pool). That process
runs ``nbgrader autograde`` with the same :class:`~labkit.grading.execute.GuardedExecute` sandbox,
integrity probes and per-notebook deadline as before, the stored-tests check before each submission,
then ``generate_feedback``. The task itself enforces the deadline: a submission that runs past it has
its whole process group (kernel included) killed, and the next task starts a fresh process. The task
returns plain data: ok / reason, the nbgrader log, per-cell scores and comments, the late penalty, the
submission's timestamp, the autograded folder's files, the feedback HTML and the flags raised.

*One writer.* Only the instructor's process writes the gradebook (SQLite or PostgreSQL: the course's
``db_url``) and the ``autograded/``, ``feedback/`` and ``reports/`` folders, as each result comes
back: files first (each folder replaced in one rename), then the gradebook in **one transaction per
submission** (student, submission, every score and comment, and the submission's digest in the table
``labkit_graded``), so the gradebook never holds a half-written submission. A result that is not ok
removes the submission's old scores and digest instead (a grader fault is not a zero).

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
import datetime as _dt
import hashlib
import importlib
import importlib.util
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from pathlib import Path

from labkit import threads

DEFAULT_ALLOWED_FAILURES = 2  # a submission may kill this many workers; the next death: NOT GRADED
STARTUP_ALLOWANCE = 60.0      # seconds for a fresh grading process to import nbgrader
# Submissions handed to the scheduler at once, per worker: one, so that a worker never holds a queue of
# submissions that would all count as suspects (towards allowed-failures) if it died.
IN_FLIGHT_PER_WORKER = 1
POLL_SECONDS = 5.0            # how often new workers are looked for while waiting for results
# the instructor's grading policy, shipped with every task (None: unset on the worker too)
POLICY_VARS = ("LAB08_SANDBOX", "LAB08_SANDBOX_MEMORY", "LAB08_SANDBOX_NPROC", "LAB08_SANDBOX_FSIZE",
               "LAB08_SANDBOX_NOFILE", "LAB08_CELL_TIMEOUT", "LAB08_NOTEBOOK_TIMEOUT")
IGNORED_PARTS = {".ipynb_checkpoints", "__pycache__"}


# --- instructor side: what a task carries ------------------------------------------------------

def _files(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not IGNORED_PARTS & set(p.relative_to(folder).parts)}


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
    source = _files(course.source / assignment)
    release = _files(course.release / assignment)
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
    files = _files(course.submitted / student / assignment)
    return {"assignment": assignment, "student": student, "files": files}


def submission_digest(bundle_digest: str, files: dict[str, bytes]) -> str:
    return _digest(bundle_digest, files)


def policy() -> dict[str, str | None]:
    return {k: os.environ.get(k) for k in POLICY_VARS}


# --- worker side ---------------------------------------------------------------------------------

LAST_RUN: dict = {}  # the latest grade() here: seconds to start/connect the cluster, tasks (benchmarks)
_CHILD: dict = {}  # this worker process's grading process: {"proc", "lines", "err", "key"}


def grade_task(bundle: dict, sub: dict, options: dict) -> dict:
    """Grade one submission on a Dask worker (runs in the worker process); returns plain data."""
    a, s = sub["assignment"], sub["student"]
    root = _scratch_course(bundle)
    for kind in ("submitted", "autograded", "feedback"):
        shutil.rmtree(root / kind / s, ignore_errors=True)
    (root / "reports" / "flags.jsonl").unlink(missing_ok=True)
    folder = root / "submitted" / s / a
    for name, data in sub["files"].items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    out = {"assignment": a, "student": s, "ok": False, "message": "", "log": "", "seconds": 0.0,
           "worker": _worker_name(), "root": str(root)}
    child, fresh = _child(options)
    req_id = uuid.uuid4().hex
    started = time.perf_counter()
    try:
        child["proc"].stdin.write(json.dumps({"id": req_id, "root": str(root), "assignment": a, "student": s,
                                              "feedback": options.get("feedback", True)}) + "\n")
        child["proc"].stdin.flush()
        payload = _next_answer(child, req_id, started + options["timeout"] + STARTUP_ALLOWANCE * fresh)
    except (BrokenPipeError, OSError):
        payload = None
    out["seconds"] = time.perf_counter() - started
    if payload == "timeout":
        _stop_child()
        out["message"] = f"more than {options['timeout']:.0f} s: stopped and its processes killed"
    elif payload is None:
        code = child["proc"].poll()
        child["err"].seek(0)
        out["log"] = child["err"].read()[-4000:]
        _stop_child()
        out["message"] = f"the grading process died (exit code {code})"
    else:
        out["seconds"] = payload["seconds"]
        out["ok"] = payload["success"]
        out["log"] = payload["log"] + payload["error"]
        out["message"] = "" if payload["success"] and not payload["error"] else _first_error_line(
            payload["error"] or payload["log"])
        for key in ("grades", "comments", "penalties", "timestamp"):
            out[key] = payload.get(key)
    if out["ok"]:
        out["autograded"] = _files(root / "autograded" / s / a)
        out["feedback"] = _files(root / "feedback" / s / a)
    flags_file = root / "reports" / "flags.jsonl"
    out["flags"] = [json.loads(line) for line in flags_file.read_text(encoding="utf-8").splitlines()
                    if line.strip()] if flags_file.is_file() else []
    for kind in ("submitted", "autograded", "feedback"):
        shutil.rmtree(root / kind / s, ignore_errors=True)
    return out


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().name)
    except (ImportError, ValueError):
        return f"pid{os.getpid()}"


def _base_dir() -> Path:
    try:
        from distributed import get_worker

        base = Path(get_worker().local_directory)
    except (ImportError, ValueError):
        base = Path(tempfile.gettempdir())
    path = base / f"labkit-grading-{os.getpid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _scratch_course(bundle: dict) -> Path:
    """This worker's course root for one version of an assignment (built once, then reused)."""
    a = bundle["assignment"]
    root = _base_dir() / f"{a}-{bundle['digest'][:16]}"
    if (root / ".ready").is_file():
        return root
    shutil.rmtree(root, ignore_errors=True)
    for kind in ("source", "release"):
        for name, data in bundle[kind].items():
            path = root / kind / a / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            mode = bundle.get("modes", {}).get(f"{kind}/{name}")
            if mode is not None:
                path.chmod(mode)  # as in the instructor's course (a companion file the kernel cannot read fails there too)
    (root / "gradebook.db").write_bytes(bundle["gradebook"])
    for kind in ("submitted", "autograded", "feedback", "exchange", "reports"):
        (root / kind).mkdir(exist_ok=True)
    (root / ".ready").write_text("")
    return root


def _thread_env(options: dict) -> dict[str, str]:
    if options.get("threads") is not None:  # a local cluster: the instructor's plan
        return options["threads"]
    host = _worker_host()
    env = {k: v for k, v in os.environ.items()  # Dask's nanny sets these to 1 for every worker
           if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    return threads.plan(options.get("per_host", {}).get(host, 1), env)


def _worker_host() -> str:
    try:
        from distributed import get_worker

        return get_worker().address.split("://")[-1].rsplit(":", 1)[0]
    except (ImportError, ValueError):
        return "localhost"


def _child(options: dict) -> tuple[dict, bool]:
    """This worker's grading process, started (or restarted when the policy changed) on demand."""
    env = {**os.environ}
    from labkit.grading.course import KERNEL_ENV

    env.update(KERNEL_ENV)
    for k in threads.MANAGED:
        env.pop(k, None)
    env.update(_thread_env(options))
    for k, v in options.get("policy", {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    env.pop("LAB08_DB_URL", None)
    # the kernels of this worker run as their own uid (when grading as root), one per worker process
    env["LAB08_SANDBOX_UID"] = str(100000 + (os.getpid() % 50000) * 64)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    key = json.dumps(sorted((k, v) for k, v in env.items() if k.startswith(("LAB08_", "OMP_", "TF_"))))
    if _CHILD and _CHILD["proc"].poll() is None and _CHILD["key"] == key:
        return _CHILD, False
    _stop_child()
    err = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen([sys.executable, "-m", "labkit.grading.worker", "--serve"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True, env=env,
                            cwd=str(_base_dir()), start_new_session=True, preexec_fn=_die_with_parent)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    _CHILD.update(proc=proc, lines=lines, err=err, key=key)
    return _CHILD, True


def _die_with_parent() -> None:  # pragma: no cover (runs in the child before exec)
    """Linux: the grading process (and with it the sandboxed kernel) dies when its worker dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 — not Linux: the worker's own cleanup still applies
        pass


def _stop_child() -> None:
    if not _CHILD:
        return
    proc = _CHILD["proc"]
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
    _CHILD["err"].close()
    _CHILD.clear()


def _pump(stream, lines: queue.Queue) -> None:
    for line in stream:
        if line.startswith("{"):
            lines.put(line)
    lines.put(None)


def _next_answer(child: dict, req_id: str, deadline: float):
    while True:
        try:
            line = child["lines"].get(timeout=max(0.0, deadline - time.perf_counter()))
        except queue.Empty:
            return "timeout"
        if line is None:
            return None
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        if data.get("id") == req_id:
            return data


def _first_error_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    errors = [ln for ln in lines if "Error" in ln or "error" in ln]
    return (errors[-1] if errors else lines[-1] if lines else "unknown error")[:300]


# --- instructor side: recording ------------------------------------------------------------------

def _graded_table():
    from sqlalchemy import Column, MetaData, String, Table

    meta = MetaData()
    return Table("labkit_graded", meta,
                 Column("assignment", String(128), primary_key=True),
                 Column("student", String(128), primary_key=True),
                 Column("digest", String(64), nullable=False),
                 Column("graded_at", String(32), nullable=False)), meta


@contextlib.contextmanager
def _transaction(course):
    """The course gradebook with every nbgrader ``commit`` turned into a ``flush``: one real commit at
    the end, or a rollback of everything."""
    with course.gradebook() as gb:
        table, meta = _graded_table()
        meta.create_all(gb.engine, checkfirst=True)
        session = gb.db
        real_commit = session.commit
        session.commit = session.flush
        try:
            yield gb, table
        except BaseException:
            del session.commit
            session.rollback()
            raise
        del session.commit
        real_commit()


def record(course, res: dict, digest: str) -> None:
    """Write one complete result into the course: autograded and feedback folders, flags, and the
    gradebook (one transaction)."""
    from labkit.grading import flags as flagging

    a, s = res["assignment"], res["student"]
    flagging.clear_run_flags(course.root, a, s)
    flagging.append_flags(course.root, res.get("flags") or [])
    if not res["ok"]:
        forget(course, a, s)
        return
    _replace_folder(course.autograded / s / a, res.get("autograded") or {})
    if res.get("feedback"):
        _replace_folder(course.feedback / s / a, res["feedback"])
    from sqlalchemy import delete, insert
    from sqlalchemy.exc import SAWarning

    with _transaction(course) as (gb, table):
        gb.update_or_create_student(s)
        stamp = _dt.datetime.fromisoformat(res["timestamp"]) if res.get("timestamp") else None
        with warnings.catch_warnings():  # SQLAlchemy's note on nbgrader's objects built before add()
            warnings.simplefilter("ignore", SAWarning)
            if stamp is not None:
                gb.update_or_create_submission(a, s, timestamp=stamp)
            else:
                gb.update_or_create_submission(a, s)
        for g in res.get("grades") or []:
            grade = gb.find_grade(g["name"], g["notebook"], a, s)
            grade.auto_score = g["auto_score"]
            grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        for c in res.get("comments") or []:
            gb.find_comment(c["name"], c["notebook"], a, s).auto_comment = c["auto_comment"]
        for nb, penalty in (res.get("penalties") or {}).items():
            gb.find_submission_notebook(nb, a, s).late_submission_penalty = penalty
        gb.db.execute(delete(table).where(table.c.assignment == a, table.c.student == s))
        gb.db.execute(insert(table).values(assignment=a, student=s, digest=digest,
                                           graded_at=time.strftime("%Y-%m-%dT%H:%M:%S")))


def forget(course, assignment: str, student: str) -> None:
    """No score and no digest for a submission that could not be graded (one transaction)."""
    from nbgrader.api import MissingEntry
    from sqlalchemy import delete

    with _transaction(course) as (gb, table):
        try:
            gb.remove_submission(assignment, student)
        except MissingEntry:
            pass
        gb.db.execute(delete(table).where(table.c.assignment == assignment, table.c.student == student))


def graded_digests(course) -> dict[tuple[str, str], str]:
    """(assignment, student) -> digest of what was graded, for submissions still in the gradebook."""
    from sqlalchemy import select

    with course.gradebook() as gb:
        table, meta = _graded_table()
        meta.create_all(gb.engine, checkfirst=True)
        rows = gb.db.execute(select(table.c.assignment, table.c.student, table.c.digest)).all()
        present = {(sub.assignment.name, sub.student.id) for a in gb.assignments for sub in a.submissions}
    return {(a, s): d for a, s, d in rows if (a, s) in present}


def _replace_folder(folder: Path, files: dict[str, bytes]) -> None:
    tmp = folder.parent / f".{folder.name}.tmp-{uuid.uuid4().hex[:8]}"
    for name, data in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    tmp.mkdir(parents=True, exist_ok=True)
    old = folder.parent / f".{folder.name}.old-{uuid.uuid4().hex[:8]}"
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


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
                    for k, v in saved.items():
                        if v is None:
                            os.environ.pop(k, None)
                        else:
                            os.environ[k] = v
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


def grade(course, pairs, *, feedback=True, timeout=900.0, echo=print, jobs=1, cluster="local",
          resume=False, progress=None, allowed_failures=DEFAULT_ALLOWED_FAILURES, task=None,
          on_submit=None) -> list:
    """Grade ``pairs`` on a Dask cluster; returns one ``StepResult`` per pair, in order.

    ``resume``: skip pairs whose recorded digest matches the submission. ``task``: the function run on
    the workers (default :func:`grade_task`; tests wrap it). ``on_submit(client)``: called once the
    cluster is up (tests use it to watch or kill workers).
    """
    from distributed import wait
    from distributed.scheduler import KilledWorker

    from labkit.grading.pipeline import StepResult

    task = task or grade_task
    done: dict[tuple[str, str], StepResult] = {}
    bundles = {a: assignment_bundle(course, a, definition=False) for a in sorted({a for a, _ in pairs})}
    subs = {}
    for a, s in pairs:
        files = _files(course.submitted / s / a)
        subs[(a, s)] = submission_digest(bundles[a]["digest"], files)
    if resume:
        known = graded_digests(course)
        for pair in pairs:
            if known.get(pair) == subs[pair]:
                done[pair] = StepResult(pair[0], pair[1], True, 0.0, "unchanged since graded: skipped",
                                        skipped=True)
    todo = [p for p in pairs if p not in done]
    if not todo:
        return [done[p] for p in pairs]
    n_local = max(1, min(jobs, len(todo)))
    local_plan = threads.plan(n_local)  # decided before Dask touches this process's environment
    bar = _Progress(len(todo), echo, progress)
    started = time.perf_counter()
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
    with stack:
        LAST_RUN.update(startup=time.perf_counter() - started, tasks=len(todo))
        link = dashboard_link(client, local)
        if link:
            bar.echo(f"Dask dashboard: {link}")
        if not local:
            client.wait_for_workers(1, timeout=600)
        workers = client.scheduler_info(n_workers=-1).get("workers", {})
        per_host: dict[str, int] = {}
        for info in workers.values():
            per_host[info.get("host", "")] = per_host.get(info.get("host", ""), 0) + 1
        options = {"feedback": feedback, "timeout": float(timeout), "policy": policy(),
                   "threads": local_plan if local else None, "per_host": per_host}
        if on_submit:
            on_submit(client)
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

        with bar:
            while pending or futures:
                submit_more()
                try:
                    finished = wait(list(futures), timeout=POLL_SECONDS, return_when="FIRST_COMPLETED").done
                except TimeoutError:
                    continue
                for fut in finished:
                    a, s = futures.pop(fut)
                    submit_more()  # the freed worker gets its next submission before this one is recorded
                    step = _collect(course, fut, a, s, subs[(a, s)], allowed_failures, KilledWorker, StepResult)
                    done[(a, s)] = step
                    status = "ok" if step.ok else f"FAILED — {step.message}"
                    bar.echo(f"  autograde {a:<22} {s:<30} {step.seconds:6.1f} s  {status}")
                    bar.advance()
    return [done[p] for p in pairs]


def _collect(course, fut, a, s, digest, allowed_failures, KilledWorker, StepResult):
    """Record one finished future in the course; its StepResult."""
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
