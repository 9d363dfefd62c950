"""The gradebook on a real PostgreSQL server (``labkit --db-url`` / ``$LAB08_DB_URL``).

A throw-away server is started for this module: ``initdb`` + ``pg_ctl`` from the Debian package
``postgresql`` (``/usr/lib/postgresql/<version>/bin``), run as the ``postgres`` user when the tests
run as root (PostgreSQL refuses to run as root), listening only on a unix socket in a private
temporary folder (no TCP port to collide with). Without the binaries the tests are skipped, unless
``LAB08_REQUIRE_POSTGRES=1`` (set by ``.ci/run`` once it has installed them): then they fail.
"""
from __future__ import annotations

import glob
import importlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from labkit.grading import cli, samples
from labkit.grading.collect.release import release
from labkit.grading.course import DB_URL_ENV, REPO, Course, sqlite_url
from labkit.grading.record import gradebook
from labkit.grading.report.scores import export_csv, read_csv
from labkit.grading.run.grade import grade

pytestmark = pytest.mark.xdist_group("postgres")  # one server, one xdist worker

ASSIGNMENT = "part0_numpy_bridge"  # the cheapest notebook to grade
REQUIRED = os.environ.get("LAB08_REQUIRE_POSTGRES") == "1"


def _unavailable(reason: str):
    """Skip, or fail when CI promised a PostgreSQL server (``LAB08_REQUIRE_POSTGRES=1``)."""
    if REQUIRED:
        pytest.fail(f"LAB08_REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
    pytest.skip(f"{reason} (install the Debian package postgresql to run it; "
                "LAB08_REQUIRE_POSTGRES=1 makes this a failure)")


def _pg_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding initdb and pg_ctl, or PATH's."""
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                  key=lambda d: [int(x) if x.isdigit() else 0 for x in Path(d).parent.name.split(".")])
    for d in reversed(dirs):
        if (Path(d) / "initdb").is_file() and (Path(d) / "pg_ctl").is_file():
            return Path(d)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    return Path(initdb).parent if initdb and pg_ctl else None


def _as_server_user() -> tuple[list[str], str]:
    """(command prefix, database superuser name): the server must not run as root."""
    if os.geteuid() != 0:
        import getpass

        return [], getpass.getuser()
    import pwd

    try:
        pwd.getpwnam("postgres")
    except KeyError:
        _unavailable("running as root and there is no 'postgres' user to run the server as")
    runuser = shutil.which("runuser")
    prefix = [runuser, "-u", "postgres", "--"] if runuser else \
        [shutil.which("setpriv") or "setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
    return prefix, "postgres"


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)
    if res.returncode:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({res.returncode}):\n{res.stdout}{res.stderr}")
    return res


@pytest.fixture(scope="module")
def postgres_url():
    """SQLAlchemy URL of an empty database on a PostgreSQL server that lives for this module."""
    bindir = _pg_bindir()
    if bindir is None:
        _unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found")
    try:
        importlib.import_module("psycopg2")  # the driver SQLAlchemy uses for postgresql:// URLs
    except ImportError:
        _unavailable("the PostgreSQL driver psycopg2 is not installed (pip install -r requirements.txt)")
    prefix, superuser = _as_server_user()

    base = Path(tempfile.mkdtemp(prefix="lab08-pg-"))  # short path: unix socket names are limited
    data, log = base / "data", base / "server.log"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    ctl = [*prefix, str(bindir / "pg_ctl"), "-D", str(data)]
    started = False
    try:
        _run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", superuser, "--auth=trust",
              "--encoding=UTF8", "--locale=C", "--no-sync"])
        opts = f"-k {base} -c listen_addresses='' -c fsync=off -c max_connections=50"
        _run([*ctl, "-l", str(log), "-w", "-t", "60", "-o", opts, "start"])
        started = True
        _run([str(bindir / "createdb") if (bindir / "createdb").is_file() else "createdb",
              "-h", str(base), "-U", superuser, "lab08"])
        yield f"postgresql+psycopg2://{superuser}@/lab08?host={base}"
    except (RuntimeError, subprocess.TimeoutExpired) as err:
        server_log = log.read_text(errors="replace")[-3000:] if log.is_file() else ""
        pytest.fail(f"could not start PostgreSQL: {err}\n{server_log}", pytrace=False)
    finally:
        if started:
            subprocess.run([*ctl, "-m", "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def test_db_url_comes_from_the_argument_then_the_environment_then_sqlite(tmp_path, monkeypatch):
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    assert Course(tmp_path).db_url == sqlite_url(tmp_path) == f"sqlite:///{tmp_path}/gradebook.db?timeout=60"
    monkeypatch.setenv(DB_URL_ENV, "postgresql://grader@db/lab08")
    assert Course(tmp_path).db_url == "postgresql://grader@db/lab08"
    assert Course(tmp_path, db_url="postgresql://other/x").db_url == "postgresql://other/x"
    # a scratch root keeps its own SQLite file whatever the environment says, and tells its workers
    scratch = Course.scratch(tmp_path)
    assert scratch.db_url == sqlite_url(tmp_path)
    assert scratch.env() == {DB_URL_ENV: sqlite_url(tmp_path)}
    assert Course(tmp_path, db_url="postgresql://other/x").env() == {DB_URL_ENV: "postgresql://other/x"}
    assert Course(tmp_path).config().CourseDirectory.db_url == "postgresql://grader@db/lab08"


def test_cli_db_url_option_reaches_the_course(monkeypatch):
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    seen = []
    monkeypatch.setattr(cli, "cmd_check", lambda args: seen.append(cli._course(args)) or 0)
    assert cli.main(["--db-url", "postgresql://grader@db/lab08", "check"]) == 0
    assert seen[-1].db_url == "postgresql://grader@db/lab08"
    assert cli.main(["check"]) == 0
    assert seen[-1].db_url == sqlite_url(REPO)


def test_a_class_graded_in_parallel_into_postgresql(postgres_url, tmp_path, monkeypatch):
    # only the explicit URL may carry the gradebook to the grading workers
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    root = tmp_path / "course"
    root.mkdir()
    (root / "source").symlink_to(REPO / "source", target_is_directory=True)
    course = Course(root, db_url=postgres_url)
    release(course, [ASSIGNMENT])

    students = {"ana": "reference", "bruno": "reference", "carla": "blank"}
    for student, kind in students.items():
        nb = (samples.reference_notebook(course, ASSIGNMENT) if kind == "reference"
              else samples.blank_notebook(course, ASSIGNMENT))
        samples.write_submission(course, student, ASSIGNMENT, nb)
    pairs = [(ASSIGNMENT, s) for s in students]
    results = grade(course, pairs, feedback=False, jobs=2, echo=lambda _: None)
    assert all(r.ok for r in results), [(r.student, r.message, r.log[-2000:]) for r in results if not r.ok]

    assert not (root / "gradebook.db").exists(), "something wrote a SQLite gradebook instead"
    got = {s.student: s for s in gradebook.scores(course)}
    assert sorted(got) == sorted(students)
    for student in ("ana", "bruno"):
        assert got[student].max_code_score > 0 and got[student].full, got[student]
    assert got["carla"].code_score == 0 and got["carla"].max_code_score == got["ana"].max_code_score

    rows = {r["student_id"]: r for r in read_csv(export_csv(course, tmp_path / "grades.csv"))
            if r["assignment"] == ASSIGNMENT}
    assert sorted(rows) == sorted(students)
    for student, score in got.items():
        assert float(rows[student]["max_score"]) > 0
        assert float(rows[student]["raw_score"] or 0) == pytest.approx(score.code_score)


def test_labkit_grade_on_a_local_dask_cluster_into_postgresql_then_only_what_is_missing(
        postgres_url, tmp_path, monkeypatch, capsys):
    """Issue 16: ``labkit grade`` (Dask LocalCluster, the default engine) writes the grades into
    PostgreSQL, one transaction per submission with its digest; run again, it grades nothing that was
    graded and did not change, and ``--regrade`` is the way to force it."""
    from sqlalchemy import create_engine, text

    monkeypatch.delenv(DB_URL_ENV, raising=False)
    root = tmp_path / "course"
    root.mkdir()
    (root / "source").symlink_to(REPO / "source", target_is_directory=True)
    course = Course(root, db_url=postgres_url)
    release(course, [ASSIGNMENT])
    samples.write_submission(course, "eva", ASSIGNMENT, samples.reference_notebook(course, ASSIGNMENT))
    argv = ["--root", str(root), "--db-url", postgres_url, "grade", ASSIGNMENT, "--jobs", "1", "--cluster", "local"]
    assert cli.main(argv) == 0
    first = capsys.readouterr().out
    assert "graded 1 of 1 submissions" in first, first
    assert not (root / "gradebook.db").exists(), "something wrote a SQLite gradebook instead"
    [eva] = [s for s in gradebook.scores(course) if s.student == "eva"]
    assert eva.full, eva
    assert (root / "feedback" / "eva" / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()
    engine = create_engine(postgres_url)
    with engine.connect() as db:
        rows = db.execute(text("SELECT student, digest FROM labkit_graded WHERE assignment = :a AND student = :s"),
                          {"a": ASSIGNMENT, "s": "eva"}).all()
    engine.dispose()
    assert len(rows) == 1 and len(rows[0][1]) == 64, rows

    assert cli.main(argv) == 0  # nothing changed: nothing graded, no cluster started
    again = capsys.readouterr().out
    assert "graded 0 of 1 submissions; 1 unchanged" in again, again
