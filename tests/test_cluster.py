"""Grading on a real Dask cluster (issue 16): nothing lost when a worker dies.

A ``dask scheduler`` and two ``dask worker`` processes are started for this module as separate
process groups, as on separate machines: each worker runs in its own scratch folder (its cwd and its
``--local-directory``) and is told nothing about the course — no course root, no gradebook URL; the
tasks carry what they need. The shared virtual environment is the only thing they have in common.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from labkit.grading import samples
from labkit.grading.course import DB_URL_ENV
from labkit.grading.record import gradebook
from labkit.grading.report.scores import format_table
from labkit.grading.run import engine, task
from labkit.grading.run.grade import grade

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("cluster")]

A = "part0_numpy_bridge"  # the cheapest notebook to grade
WRONG = "p0_softmax_dim0"  # a catalogue entry: loses the softmax tests
DASK = Path(sys.executable).parent / "dask"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A scheduler and two single-threaded workers (no nanny: a killed worker stays dead)."""
    base = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = {k: v for k, v in os.environ.items() if k != DB_URL_ENV}
    env.update(DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="2",
               DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="1.0")
    procs: dict[str, subprocess.Popen] = {}
    dirs: dict[str, Path] = {}
    try:
        for name in ("scheduler", "w1", "w2"):
            dirs[name] = base / name
            dirs[name].mkdir()
            cmd = ([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                    "--no-dashboard"] if name == "scheduler" else
                   [str(DASK), "worker", address, "--name", name, "--nthreads", "1",
                    "--no-nanny", "--no-dashboard", "--local-directory", str(dirs[name] / "local")])
            log = open(dirs[name] / "log.txt", "w")
            procs[name] = subprocess.Popen(cmd, cwd=dirs[name], env=env, stdout=log, stderr=log,
                                           start_new_session=True)
            if name == "scheduler":
                time.sleep(2)
        from distributed import Client

        with Client(address, timeout=120) as client:
            client.wait_for_workers(2, timeout=180)
        yield {"address": address, "procs": procs, "dirs": dirs}
    finally:
        for proc in procs.values():
            _kill_group(proc)


def _write_class(course, students: dict[str, str]) -> list[tuple[str, str]]:
    spec = next(s for s in samples.catalogue([A]) if s.student == WRONG)
    for student, kind in students.items():
        nb = (samples.reference_notebook(course, A) if kind == "reference" else
              samples.blank_notebook(course, A) if kind == "blank" else samples.spec_notebook(course, spec))
        samples.write_submission(course, student, A, nb)
    return [(A, s) for s in students]


def test_a_worker_killed_mid_task_loses_nothing(dask_cluster, tmp_path):
    """Three students on two workers; one worker is SIGKILLed (with its grading process and kernel)
    while it grades: its submission is graded again on the other worker, and every student ends
    graded exactly once with the right score."""
    from support import make_scratch_course

    course = make_scratch_course(tmp_path / "course", [A])
    kinds = {"ana": "reference", "bruno": "blank", "carla": WRONG}
    pairs = _write_class(course, kinds)
    killed: dict = {}

    def kill_one_mid_task(client):
        def watch():
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline and not killed:
                busy = {addr: keys for addr, keys in client.processing().items()
                        if any(str(k).startswith("grade-") for k in keys)}
                if busy:
                    time.sleep(4)  # the grading process is importing nbgrader or running the notebook
                    addr, keys = next(iter(busy.items()))
                    name = client.scheduler_info()["workers"][addr]["name"]
                    _kill_group(dask_cluster["procs"][name])
                    killed.update(name=name, keys=[str(k) for k in keys])
                    return
                time.sleep(0.2)

        threading.Thread(target=watch, daemon=True).start()

    lines: list[str] = []
    results = grade(course, pairs, cluster=dask_cluster["address"], timeout=600,
                    echo=lines.append, on_submit=kill_one_mid_task)
    assert killed, "no worker was killed: the test did not exercise anything"
    assert [(r.assignment, r.student) for r in results] == pairs  # once each, in order
    assert all(r.ok for r in results), [(r.student, r.message, r.log[-1500:]) for r in results if not r.ok]
    survivor = ({"w1", "w2"} - {killed["name"]}).pop()
    victims = [s for s in kinds if any(f"grade-{A}-{s}-" in k for k in killed["keys"])]
    assert victims, killed
    for r in results:
        if r.student in victims:
            assert r.worker == survivor, (r.student, r.worker, killed)

    with course.gradebook() as gb:  # exactly one submission per student, nothing else
        rows = sorted((sub.student.id, sub.assignment.name) for a in gb.assignments for sub in a.submissions)
    assert rows == sorted((s, A) for s in kinds)
    scores = {s.student: s for s in gradebook.scores(course)}
    spec = next(s for s in samples.catalogue([A]) if s.student == WRONG)
    for student, kind in kinds.items():
        who = kind if kind in ("reference", "blank") else WRONG
        assert not samples.verdict(who, scores[student], spec if kind == WRONG else None), (student, scores[student])
        assert (course.feedback / student / A / f"{A}.html").is_file()
        assert (course.autograded / student / A / f"{A}.ipynb").is_file()
    # the workers graded in their own scratch folders, never in the course
    for name in ("w1", "w2"):
        assert list((dask_cluster["dirs"][name] / "local").rglob(f"{A}-*/gradebook.db")), name
        assert str(course.root) not in (dask_cluster["dirs"][name] / "log.txt").read_text(errors="replace")


def _kill_own_worker_for_killer(bundle, sub, options):
    """Like the real task, except that grading the student 'killer' kills the worker process."""
    if sub["student"] == "killer":
        os.kill(os.getpid(), signal.SIGKILL)
    return task.grade_task(bundle, sub, options)


def test_a_submission_that_kills_workers_is_not_graded_and_a_rerun_grades_only_what_is_missing(tmp_path):
    """LocalCluster: a submission whose task killed its worker twice is reported NOT GRADED with the
    reason (no endless retry) while the class goes on; grading again skips what was graded and did not
    change, and grades what changed."""
    import cloudpickle
    from support import make_scratch_course

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import tests/
    course = make_scratch_course(tmp_path / "course", [A])
    pairs = _write_class(course, {"killer": "reference", "ref": "reference"})
    results = {r.student: r for r in grade(course, pairs, jobs=1, feedback=False, timeout=600,
                                           echo=lambda _: None, allowed_failures=1,
                                           task=_kill_own_worker_for_killer)}
    assert not results["killer"].ok and "killed 2 worker(s)" in results["killer"].message, results["killer"]
    assert results["ref"].ok, (results["ref"].message, results["ref"].log[-2000:])
    assert {s.student for s in gradebook.scores(course)} == {"ref"}  # no score for the killer
    table = format_table(gradebook.scores(course), [results["killer"]])
    assert "NOT GRADED" in table and "killed 2 worker(s)" in table

    # again: the graded submission is unchanged and skipped (no cluster is even started)
    started = time.perf_counter()
    [again] = grade(course, [(A, "ref")], jobs=1, echo=lambda _: None, resume=True)
    assert again.ok and again.skipped, again
    assert time.perf_counter() - started < 60  # nothing graded (generous: a busy machine)
    # a resubmission changes the digest: it would be graded again
    bundle = engine.assignment_bundle(course, A, definition=False)
    before = gradebook.graded_digests(course)[(A, "ref")]
    assert before == engine.submission_digest(bundle["digest"], task.files_of(course.submitted / "ref" / A))
    nb = course.notebook("submitted", A, "ref")
    nb.write_text(nb.read_text() + "\n")
    assert before != engine.submission_digest(bundle["digest"], task.files_of(course.submitted / "ref" / A))
