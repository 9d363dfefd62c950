"""Every setting of the course tooling in one place: the ``LAB08_*`` environment variables that
``labkit`` reads (name, default, meaning) and every timeout and limit of grading.

Standard library only and free of side effects, because everything imports it: the grading kernels
(``labkit.threads``, through ``labkit.quiet``), the student edition (which ships this file),
``tasks.py`` before any virtual environment exists, and ``nbgrader_config.py``. No other module of
``labkit`` reads a ``LAB08_*`` variable or writes down a timeout (``tests/test_layout.py`` checks
both): a module asks here, e.g. ``settings.CELL_TIMEOUT.get()`` or ``settings.PROBE_TIMEOUT``.

The README's table of settings is :func:`markdown_table` (``tests/test_layout.py`` checks that
they match; ``python -m labkit.settings`` prints it).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Mapping

PREFIX = "LAB08_"
GiB = 1024 ** 3
MiB = 1024 ** 2


@dataclass(frozen=True)
class Variable:
    """One ``LAB08_*`` environment variable: its name, its default (None: unset) and its meaning."""

    name: str
    default: object
    meaning: str
    parse: Callable[[str], object] = str
    group: str = "grading"

    def get(self, environ: Mapping[str, str] | None = None):
        """The parsed value in ``environ`` (default: this process's environment); the default when
        the variable is unset or empty."""
        raw = (os.environ if environ is None else environ).get(self.name, "")
        return self.default if raw == "" else self.parse(raw)

    def raw(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The text in ``environ`` as it is (None when unset)."""
        return (os.environ if environ is None else environ).get(self.name)


VARIABLES: list[Variable] = []


def _var(name: str, default, meaning: str, parse=str, group: str = "grading") -> Variable:
    var = Variable(name, default, meaning, parse, group)
    VARIABLES.append(var)
    return var


# --- environment variables: grading --------------------------------------------------------------
DB_URL = _var("LAB08_DB_URL", None,
              "the gradebook's SQLAlchemy URL (e.g. `postgresql://host/lab08`); unset: SQLite "
              "`<root>/gradebook.db`. `labkit --db-url` wins. Never passed to a kernel")
CLUSTER = _var("LAB08_CLUSTER", "local",
               "where `labkit grade` grades without `--cluster`: `local`, `tcp://HOST:8786`, "
               "`module:function` or `pool`")
CELL_TIMEOUT = _var("LAB08_CELL_TIMEOUT", 120,
                    "seconds one cell may run while grading (nbgrader's `Execute.timeout`)", int)
NOTEBOOK_TIMEOUT = _var("LAB08_NOTEBOOK_TIMEOUT", 600.0,
                        "seconds for a whole notebook inside its kernel: past it, every test cell "
                        "left gets 0 points with the reason", float)
SANDBOX = _var("LAB08_SANDBOX", "auto",
               "kernel isolation: `auto` (bubblewrap when it works here), `bwrap` (required) or "
               "`off` (resource limits only)")
SANDBOX_MEMORY = _var("LAB08_SANDBOX_MEMORY", 8 * GiB, "address space of a kernel, in bytes", int)
SANDBOX_NPROC = _var("LAB08_SANDBOX_NPROC", 512, "processes of a kernel's uid (fork bombs)", int)
SANDBOX_FSIZE = _var("LAB08_SANDBOX_FSIZE", 256 * MiB, "largest file a kernel may write, in bytes", int)
SANDBOX_NOFILE = _var("LAB08_SANDBOX_NOFILE", 1024, "open files of a kernel", int)
SANDBOX_UID = _var("LAB08_SANDBOX_UID", None,
                   "uid of the kernels when grading as root (default: a range of its own per grading "
                   "process, `labkit.settings.sandbox_uid`)", int)
SANDBOX_TAG = _var("LAB08_SANDBOX_TAG", None,
                   "set by the sandbox on every process of one kernel, so that leftovers can be found "
                   "and killed; not a setting")

# --- environment variables: threads (labkit.threads) --------------------------------------------
CPU_BUDGET = _var("LAB08_CPU_BUDGET", None,
                  "cores this process tree may use (written for child processes by "
                  "`labkit.threads.plan`)", int, "threads")
KERNEL_THREADS = _var("LAB08_KERNEL_THREADS", None,
                      "threads per kernel; set it by hand to fix every kernel's share", int, "threads")
THREADS_FIXED = _var("LAB08_THREADS_FIXED", None,
                     "written by `labkit.threads.plan` when the share was fixed by hand", str, "threads")

# --- environment variables: setup ----------------------------------------------------------------
VENV = _var("LAB08_VENV", None,
            "virtual environment that `tasks.py` creates and uses (default: `.venv/` next to it)",
            str, "setup")
INSTALLER = _var("LAB08_INSTALLER", "uv",
                 "how the repository's `tasks.py` fills a new environment: `uv` (pip installs uv and the "
                 "pinned torch wheel, uv the rest, on every core; falls back to pip if it fails) or `pip`. "
                 "The student edition always uses pip", str, "setup")

# --- environment variables: the test suite (read by tests/ and .ci/run; listed for the table) -----
def _switch(name: str, meaning: str) -> Variable:
    return _var(name, None, "`1`: " + meaning, str, "tests")


FULL_CATALOGUE = _switch("LAB08_FULL_CATALOGUE", "the tests check every catalogue entry and attack, not a sample")
REQUIRE_SANDBOX = _switch("LAB08_REQUIRE_SANDBOX", "the red-team tests fail (not skip) without a working bubblewrap")
REQUIRE_POSTGRES = _switch("LAB08_REQUIRE_POSTGRES", "the PostgreSQL tests fail (not skip) without a server")
REQUIRE_BROWSER = _switch("LAB08_REQUIRE_BROWSER", "the browser tests fail (not skip) without Chromium and Playwright")

# The instructor's grading policy: shipped with every Dask task, so that remote workers grade with
# the same settings (None: unset on the worker too).
POLICY = (SANDBOX, SANDBOX_MEMORY, SANDBOX_NPROC, SANDBOX_FSIZE, SANDBOX_NOFILE, CELL_TIMEOUT, NOTEBOOK_TIMEOUT)


def policy(environ: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """The policy variables as they are set here (None: unset)."""
    return {var.name: var.raw(environ) for var in POLICY}


def sandbox_uid(pid: int) -> int:
    """The first sandbox uid of the grading process ``pid`` (root only): 64 uids of its own, so that
    two grading processes never share a uid, nor its process limit."""
    return 100000 + (pid % 50000) * 64


# --- timeouts (seconds) --------------------------------------------------------------------------
# (name, value, meaning); each is also a module constant of that name
TIMEOUTS: list[tuple[str, float, str]] = []


def _timeout(name: str, seconds: float, meaning: str) -> float:
    TIMEOUTS.append((name, seconds, meaning))
    return seconds


SUBMISSION_TIMEOUT = _timeout("SUBMISSION_TIMEOUT", 900.0,
                              "wall clock for grading one submission, kernel start included; then its "
                              "processes are killed and it is NOT GRADED")
STARTUP_ALLOWANCE = _timeout("STARTUP_ALLOWANCE", 60.0,
                             "added to the first submission of a fresh grading process (importing nbgrader)")
KERNEL_READY_TIMEOUT = _timeout("KERNEL_READY_TIMEOUT", 60,
                                "at least this long for a new kernel's first answers (preflight, snapshot; "
                                "the cell timeout when longer)")
PROBE_TIMEOUT = _timeout("PROBE_TIMEOUT", 15, "a kernel's answer to an integrity probe after a test cell")
IOPUB_TIMEOUT = _timeout("IOPUB_TIMEOUT", 30, "a cell's last outputs after its reply (nbgrader's "
                                              "`Execute.iopub_timeout`)")
SQLITE_LOCK_TIMEOUT = _timeout("SQLITE_LOCK_TIMEOUT", 60, "waiting for SQLite's write lock (parallel graders)")
BWRAP_PROBE_TIMEOUT = _timeout("BWRAP_PROBE_TIMEOUT", 30, "the check that bubblewrap can create namespaces")
UID_CLEAR_TIMEOUT = _timeout("UID_CLEAR_TIMEOUT", 20.0, "killing what earlier kernels of a sandbox uid left behind")
WORKERS_TIMEOUT = _timeout("WORKERS_TIMEOUT", 600, "a remote Dask cluster's first worker")
RESULT_POLL = _timeout("RESULT_POLL", 5.0, "between looks for finished tasks and new Dask workers")
QUICK_CELL_TIMEOUT = _timeout("QUICK_CELL_TIMEOUT", 120, "a cell on the test suite's quick path (`fastcheck`)")
BENCH_CELL_TIMEOUT = _timeout("BENCH_CELL_TIMEOUT", 600, "a cell of the plain execution that `tasks.py bench` "
                                                         "compares with grading")
DDP_TIMEOUT = _timeout("DDP_TIMEOUT", 60.0, "default of `labkit.parallel.run_ddp`: joining the process group, "
                                            "each collective, and the whole run")
TEST_TIMEOUT = _timeout("TEST_TIMEOUT", 900, "one test of `tasks.py test` (pytest-timeout)")
NBVAL_CELL_TIMEOUT = _timeout("NBVAL_CELL_TIMEOUT", 120, "a cell of `notebooks/` under nbval (`tasks.py test`)")

# --- limits --------------------------------------------------------------------------------------
LIMITS: list[tuple[str, int, str]] = []


def _limit(name: str, value: int, meaning: str) -> int:
    LIMITS.append((name, value, meaning))
    return value


SCRATCH_BYTES = _limit("SCRATCH_BYTES", 512 * MiB, "tmpfs of a sandboxed kernel's working folder and of its /tmp")
MAX_NOTEBOOK_BYTES = _limit("MAX_NOTEBOOK_BYTES", 100 * MiB,
                            "largest notebook collected from an LMS download (as nbgrader's "
                            "`CourseDirectory.max_file_size`)")
MAX_ZIP_BYTES = _limit("MAX_ZIP_BYTES", 4 * GiB, "everything one LMS zip may expand to")
ALLOWED_FAILURES = _limit("ALLOWED_FAILURES", 2, "Dask workers one submission may kill; at the next death "
                                                 "it is NOT GRADED")


def markdown_table() -> str:
    """The README's table: every variable, then every timeout and limit."""
    def text(value) -> str:
        if value is None:
            return "unset"
        if isinstance(value, int) and not isinstance(value, bool) and value >= MiB:
            return f"{value // GiB} GiB" if value % GiB == 0 else f"{value // MiB} MiB"
        return f"{value:g}" if isinstance(value, float) else str(value)

    lines = ["| setting | default | for | meaning |", "|---|---|---|---|"]
    lines += [f"| `{v.name}` | {text(v.default)} | {v.group} | {v.meaning} |" for v in VARIABLES]
    lines += [f"| `settings.{n}` | {text(s)} s | timeout | {m} |" for n, s, m in TIMEOUTS]
    lines += [f"| `settings.{n}` | {text(x)} | limit | {m} |" for n, x, m in LIMITS]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
