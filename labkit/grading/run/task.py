"""The Dask task that grades one submission, on a worker (:func:`grade_task`).

It builds (once per assignment version, under the worker's local directory) a scratch course root
with the bundle's ``source/``, ``release/`` and gradebook definition, writes the submission into
``submitted/``, and sends it to a long-lived ``python -m labkit.grading.run.worker --serve`` process of
its own (nbgrader is imported once per worker, as in the old pool). That process runs ``nbgrader
autograde`` with the :class:`~labkit.grading.run.execute.GuardedExecute` sandbox, integrity probes and
per-notebook deadline, the stored-tests check before each submission, then ``generate_feedback``. The
task itself enforces the deadline: a submission that runs past it has its whole process group (kernel
included) killed, and the next task starts a fresh process. The task returns plain data: ok / reason,
the nbgrader log, per-cell scores and comments, the late penalty, the submission's timestamp, the
autograded folder's files, the feedback HTML and the flags raised. The instructor's side is
:mod:`labkit.grading.run.engine`.
"""
from __future__ import annotations

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
from pathlib import Path

from labkit import settings, threads
from labkit.grading.flags import read_flags
from labkit.grading.run.worker import first_error_line, kill_group, pump

IGNORED_PARTS = {".ipynb_checkpoints", "__pycache__"}
_CHILD: dict = {}  # this worker process's grading process: {"proc", "lines", "err", "key"}


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative POSIX name -> bytes), checkpoints and caches left out."""
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not IGNORED_PARTS & set(p.relative_to(folder).parts)}


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
        payload = _next_answer(child, req_id, started + options["timeout"] + settings.STARTUP_ALLOWANCE * fresh)
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
        out["message"] = "" if payload["success"] and not payload["error"] else first_error_line(
            payload["error"] or payload["log"])
        for key in ("grades", "comments", "penalties", "timestamp"):
            out[key] = payload.get(key)
    if out["ok"]:
        out["autograded"] = files_of(root / "autograded" / s / a)
        out["feedback"] = files_of(root / "feedback" / s / a)
    out["flags"] = read_flags(root)
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


# What Dask's nanny sets for its worker processes (``distributed.nanny.pre-spawn-environ``): one
# thread for the numeric libraries, and glibc's malloc giving memory back to the system at every 64 KiB
# (MALLOC_TRIM_THRESHOLD_). The grading process and its kernels get neither: their threads come from
# labkit.threads, and an aggressive malloc trim made every notebook slower than under the pool.
DASK_NANNY_ENV = ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def _child(options: dict) -> tuple[dict, bool]:
    """This worker's grading process, started (or restarted when the policy changed) on demand."""
    env = {k: v for k, v in os.environ.items() if k not in DASK_NANNY_ENV}
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
    env.pop(settings.DB_URL.name, None)
    # the kernels of this worker run as their own uid (when grading as root), one per worker process
    env[settings.SANDBOX_UID.name] = str(settings.sandbox_uid(os.getpid()))
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    key = json.dumps(sorted((k, v) for k, v in env.items() if k.startswith((settings.PREFIX, "OMP_", "TF_"))))
    if _CHILD and _CHILD["proc"].poll() is None and _CHILD["key"] == key:
        return _CHILD, False
    _stop_child()
    err = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen([sys.executable, "-m", "labkit.grading.run.worker", "--serve"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True, env=env,
                            cwd=str(_base_dir()), start_new_session=True, preexec_fn=_die_with_parent)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=pump, args=(proc.stdout, lines), daemon=True).start()
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
    kill_group(proc)
    proc.wait()
    _CHILD["err"].close()
    _CHILD.clear()


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
