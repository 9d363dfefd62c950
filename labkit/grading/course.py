"""Where a course lives on disk, and the nbgrader configuration that points at it."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from labkit import settings

REPO = Path(__file__).resolve().parents[2]
CONFIG_FILE = REPO / "nbgrader_config.py"

# Environment for every kernel the tooling starts: no framework log lines, no GPU probing noise,
# and nothing from the instructor's own Python start-up files.
KERNEL_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "GRPC_VERBOSITY": "ERROR",
    "KERAS_BACKEND": "tensorflow",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
    "MPLBACKEND": "Agg",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}

# The gradebook's SQLAlchemy URL when a Course gets none (e.g. ``postgresql://host/lab08``);
# unset: SQLite in the course root. ``labkit --db-url`` overrides it.
DB_URL_ENV = settings.DB_URL.name


def sqlite_url(root: str | os.PathLike) -> str:
    """The default gradebook: ``<root>/gradebook.db``. Concurrent graders (``--jobs``) wait up to
    ``settings.SQLITE_LOCK_TIMEOUT`` (60 s) for SQLite's write lock instead of 5 s."""
    return f"sqlite:///{Path(root).resolve() / 'gradebook.db'}?timeout={settings.SQLITE_LOCK_TIMEOUT}"


def ensure_env_on_path() -> None:
    """Put this interpreter's ``bin/`` first on PATH.

    nbgrader runs ``alembic`` as a subprocess to create a gradebook, and Jupyter looks for kernels
    there too; both must come from the course environment even when it is not activated.
    """
    bindir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bindir:
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


class GradingError(RuntimeError):
    """An nbgrader step failed; the message says which and why."""


class Course:
    """A course root: ``source/``, ``release/``, ``submitted/``, ``autograded/``, ``feedback/``
    and ``gradebook.db`` (or another gradebook, e.g. PostgreSQL: ``db_url`` / ``$LAB08_DB_URL``).
    The repository itself is one; tests use temporary ones whose ``source/`` links to the
    repository's.
    """

    def __init__(self, root: str | os.PathLike = REPO, db_url: str | None = None):
        self.root = Path(root).resolve()
        # the gradebook: an explicit URL, else $LAB08_DB_URL, else SQLite in the root
        self._db_url = db_url or settings.DB_URL.get()

    @classmethod
    def scratch(cls, root: str | os.PathLike) -> "Course":
        """A throw-away course root with its own SQLite gradebook, whatever ``$LAB08_DB_URL`` says
        (so scratch grading never writes into the class's real gradebook)."""
        return cls(root, db_url=sqlite_url(root))

    def __repr__(self) -> str:
        return f"Course({str(self.root)!r})"

    # folders -------------------------------------------------------------------------------
    source = property(lambda self: self.root / "source")
    release = property(lambda self: self.root / "release")
    submitted = property(lambda self: self.root / "submitted")
    autograded = property(lambda self: self.root / "autograded")
    feedback = property(lambda self: self.root / "feedback")

    @property
    def db_url(self) -> str:
        """SQLAlchemy URL of the gradebook (``CourseDirectory.db_url``)."""
        return self._db_url or sqlite_url(self.root)

    def env(self) -> dict[str, str]:
        """Environment for a subprocess that builds ``Course(self.root)`` (the grading worker), so
        it opens this same gradebook: ``{"LAB08_DB_URL": url}``. Always set, also for the SQLite
        default, so a ``$LAB08_DB_URL`` inherited from the caller cannot redirect a scratch course."""
        return {DB_URL_ENV: self.db_url}

    def assignments(self) -> list[str]:
        """Assignment ids: folders of ``source/`` holding ``<id>/<id>.ipynb``."""
        return sorted(p.name for p in self.source.iterdir()
                      if (p / f"{p.name}.ipynb").is_file())

    def notebook(self, kind: str, assignment: str, student: str | None = None) -> Path:
        """Path of an assignment's notebook in ``source``/``release`` or a student's folder."""
        base = getattr(self, kind)
        folder = base / student / assignment if student else base / assignment
        return folder / f"{assignment}.ipynb"

    # nbgrader ------------------------------------------------------------------------------
    def config(self):
        """The repository's ``nbgrader_config.py`` with the course root pointing here."""
        from traitlets.config.loader import PyFileConfigLoader

        cfg = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
        cfg.CourseDirectory.root = str(self.root)
        cfg.CourseDirectory.db_url = self.db_url
        cfg.Exchange.root = str(self.root / "exchange")
        return cfg

    def api(self):
        """An ``NbGraderAPI`` bound to this course root."""
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        ensure_env_on_path()
        read_alembic_head_once()
        (self.root / "exchange").mkdir(exist_ok=True)  # see nbgrader_config.py: formgrader wants one
        cfg = self.config()
        return NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)

    def gradebook(self):
        """An open ``nbgrader.api.Gradebook`` (use as a context manager)."""
        from nbgrader.api import Gradebook

        read_alembic_head_once()
        return Gradebook(self.db_url, course_id=self.config().CourseDirectory.course_id)


def _alembic_head() -> str | None:
    """The head revision of nbgrader's gradebook schema, read from its migration scripts (what
    ``alembic heads`` prints); None when they cannot be read unambiguously."""
    import re

    import nbgrader

    revisions, parents = set(), set()
    for script in (Path(nbgrader.__file__).parent / "alembic" / "versions").glob("*.py"):
        text = script.read_text()
        found = re.search(r"^revision\s*=\s*['\"](\w+)['\"]", text, re.M)
        if found:
            revisions.add(found.group(1))
        for line in re.findall(r"^down_revision\s*=\s*(.+)$", text, re.M):
            parents |= set(re.findall(r"['\"](\w+)['\"]", line))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def read_alembic_head_once() -> None:
    """nbgrader starts a subprocess (``alembic heads``, one to two seconds of CPU) every time it
    creates a gradebook, to learn a revision that the installed nbgrader fixes: read it once from
    nbgrader's own migration scripts instead (nbgrader's way stays when they cannot be read)."""
    import nbgrader.api

    if getattr(nbgrader.api.get_alembic_version, "labkit", False):
        return
    head = _alembic_head()
    if head is not None:
        def get_alembic_version() -> str:
            return head

        get_alembic_version.labkit = True
        nbgrader.api.get_alembic_version = get_alembic_version
