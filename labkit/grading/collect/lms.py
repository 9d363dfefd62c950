"""Collect a class's submissions: an LMS download (a folder or a ``.zip``) into nbgrader's
``submitted/`` tree, and the (assignment, student) pairs found there.

:func:`collect` takes nbgrader's ``submitted/`` tree, a folder or a ``.zip`` downloaded from an LMS
(one notebook per student and assignment, named ``<student>_<assignment>.ipynb``, in any sub-folder)
and copies each notebook to ``submitted/<student>/<assignment>/<assignment>.ipynb``. What it cannot
map (other names, two files for the same student and assignment, unsafe or oversized zip members, a
corrupt zip) is reported as a :class:`~labkit.grading.flags.Flag` with ``source: "intake"``, never
raised. Each notebook is then checked against its release by :mod:`labkit.grading.check.intake`.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from labkit import settings
from labkit.grading.course import Course
from labkit.grading.flags import Flag, append_flags

SOURCE = "intake"
MAX_NOTEBOOK_BYTES = settings.MAX_NOTEBOOK_BYTES  # nbgrader_config.py: CourseDirectory.max_file_size = 100 MB
MAX_ZIP_TOTAL_BYTES = settings.MAX_ZIP_BYTES  # everything a zip may expand to
_IGNORED_PARTS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__"}
_SAFE_ID = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class IntakeResult:
    """What :func:`collect` did: the (assignment, student) pairs now in ``submitted/``, the files it
    wrote, and every file it could not map."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    copied: list[Path] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)


def submissions(course: Course, assignments: list[str] | None = None) -> list[tuple[str, str]]:
    """(assignment, student) pairs found under ``submitted/<student>/<assignment>/``."""
    wanted = set(assignments or course.assignments())
    pairs = []
    if course.submitted.is_dir():
        for student_dir in sorted(p for p in course.submitted.iterdir() if p.is_dir()):
            for a_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
                if a_dir.name in wanted:
                    pairs.append((a_dir.name, student_dir.name))
    return pairs


def safe_student_id(raw: str) -> str:
    """A student id usable as a folder name: ASCII letters, digits, ``.``, ``_``, ``-``."""
    text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    text = _SAFE_ID.sub("_", text).strip("._-")[:64]
    return text or "student_" + hashlib.sha1(raw.encode()).hexdigest()[:8]


def collect(course: Course, path: str | os.PathLike, *, max_bytes: int = MAX_NOTEBOOK_BYTES) -> IntakeResult:
    """Bring the notebooks under ``path`` (a folder, a ``.zip`` or a single notebook) into
    ``submitted/<student>/<assignment>/<assignment>.ipynb``; record what could not be mapped."""
    result = IntakeResult()
    path = Path(path)
    if path.is_dir() and path.resolve() == course.submitted.resolve():
        result.pairs = submissions(course)  # already in place
        return result
    archive, entries = _entries(path, max_bytes, result.flags)
    mapped, stamps = _map_entries(entries, course.assignments(), result.flags)
    for (assignment, student), files in sorted(mapped.items()):
        _collect_one(course, assignment, student, files, stamps.get((assignment, student)), max_bytes, result)
    if archive is not None:
        archive.close()
    append_flags(course.root, result.flags)
    return result


def _entries(path: Path, max_bytes: int, found: list[Flag]):
    """(open zip or None, [(relative name, read())]) for a folder, a zip or one file."""
    if path.is_dir():
        return None, _folder_entries(path, max_bytes, found)
    if path.is_file() and (path.suffix.lower() == ".zip" or zipfile.is_zipfile(path)):
        return _zip_entries(path, max_bytes, found)
    if path.is_file():
        return None, [(path.name, lambda p=path: p.read_bytes())]
    found.append(Flag(None, None, SOURCE, "missing-path", f"{path}: no such file or folder",
                      f"{path}: no existe"))
    return None, []


def _map_entries(entries, assignments: list[str], found: list[Flag]):
    """``{(assignment, student): [(name, read)]}`` and nbgrader's ``timestamp.txt`` readers (late
    penalties) for the entries that map to a known assignment; a flag for each other file."""
    mapped: dict[tuple[str, str], list[tuple[str, object]]] = {}
    stamps: dict[tuple[str, str], object] = {}  # nbgrader's submitted/<s>/<a>/timestamp.txt
    for name, read in entries:
        parts = PurePosixPath(name).parts
        if parts[-1] == "timestamp.txt" and len(parts) >= 3 and parts[-2] in assignments:
            stamps[(parts[-2], safe_student_id(parts[-3]))] = read
            continue
        target = _map_name(name, assignments)
        if target is None:
            found.append(Flag(None, None, SOURCE, "unmapped-file",
                              f"{name}: not <student>_<assignment>.ipynb for a known assignment; ignored",
                              f"{name}: el nombre no es <estudiante>_<tarea>.ipynb de una tarea conocida; "
                              "se ignora"))
            continue
        assignment, raw_student = target
        student = safe_student_id(raw_student)
        if student != raw_student:
            found.append(Flag(assignment, student, SOURCE, "renamed-student",
                              f"{name}: student id {raw_student!r} stored as {student!r}",
                              f"{name}: el identificador {raw_student!r} se guarda como {student!r}"))
        mapped.setdefault((assignment, student), []).append((name, read))
    return mapped, stamps


def _collect_one(course: Course, assignment: str, student: str, files, stamp, max_bytes: int,
                 result: IntakeResult) -> None:
    """Copy one student's notebook for one assignment into ``submitted/`` (unless it is ambiguous,
    unreadable or too big: then a flag that rules it out)."""
    if len(files) > 1:
        names = ", ".join(n for n, _ in files)
        result.flags.append(Flag(assignment, student, SOURCE, "duplicate-file",
                                 f"{len(files)} files for the same student and assignment ({names}); "
                                 "none collected",
                                 f"Hay {len(files)} archivos para la misma tarea ({names}); no se ha "
                                 "recogido ninguno. Entrega solo uno.", gradable=False))
        return
    name, read = files[0]
    try:
        data = read()
    except Exception as err:  # a corrupt or encrypted zip member
        result.flags.append(Flag(assignment, student, SOURCE, "bad-zip",
                                 f"{name}: cannot be extracted ({type(err).__name__}: {err})",
                                 f"{name}: no se puede extraer del zip", gradable=False))
        return
    if len(data) > max_bytes:
        result.flags.append(_oversized(name, len(data), max_bytes, assignment, student))
        return
    dest = course.notebook("submitted", assignment, student)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not dest.is_file() or dest.read_bytes() != data:
        write_atomic(dest, data)
        result.copied.append(dest)
    if stamp is not None:
        try:
            write_atomic(dest.with_name("timestamp.txt"), stamp()[:200])
        except Exception:  # an unreadable timestamp: graded as on time, like nbgrader without one
            pass
    result.pairs.append((assignment, student))


def _map_name(name: str, assignments: list[str]) -> tuple[str, str] | None:
    """(assignment, student) for a relative path, or None. Accepts nbgrader's layout
    ``.../<student>/<a>/<a>.ipynb`` and the LMS's ``<student>_<a>.ipynb``."""
    parts = PurePosixPath(name).parts
    filename = parts[-1]
    for a in sorted(assignments, key=len, reverse=True):  # the longest id wins ("x_part0" over "part0")
        if filename == f"{a}.ipynb" and len(parts) >= 3 and parts[-2] == a:
            return a, parts[-3]
        suffix = f"_{a}.ipynb"
        if filename.lower().endswith(suffix.lower()) and len(filename) > len(suffix):
            return a, filename[: -len(suffix)]
    return None


def _ignored(parts) -> bool:
    return any(p in _IGNORED_PARTS or p.startswith(".") for p in parts)


def _oversized(name, size, limit, assignment=None, student=None) -> Flag:
    return Flag(assignment, student, SOURCE, "oversized-file",
                f"{name}: {size / 2**20:.1f} MiB, more than {limit / 2**20:.1f} MiB; ignored",
                f"{name}: ocupa {size / 2**20:.1f} MiB (máximo {limit / 2**20:.1f} MiB); se ignora. "
                "Borra las salidas (Edit → Clear Outputs of All Cells) y entrégalo de nuevo.",
                gradable=False)


def _folder_entries(root: Path, max_bytes: int, found: list[Flag]):
    entries = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if _ignored(rel.parts) or p.is_dir():
            continue
        if p.is_symlink() or not p.is_file():
            found.append(Flag(None, None, SOURCE, "unsafe-path", f"{rel}: a link or special file; ignored",
                              f"{rel}: enlace o archivo especial; se ignora"))
        elif p.stat().st_size > max_bytes:
            found.append(_oversized(rel.as_posix(), p.stat().st_size, max_bytes))
        else:
            entries.append((rel.as_posix(), lambda p=p: p.read_bytes()))
    return entries


def _zip_entries(path: Path, max_bytes: int, found: list[Flag]):
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        found.append(Flag(None, None, SOURCE, "bad-zip",
                          f"{path.name}: not a readable zip ({err}); nothing collected",
                          f"{path.name}: el zip está dañado; no se ha recogido nada", gradable=False))
        return None, []
    entries, total = [], 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        if info.is_dir():
            continue
        pure = PurePosixPath(name)
        is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
        if (pure.is_absolute() or re.match(r"^[A-Za-z]:", name) or ".." in pure.parts or "\x00" in name
                or is_link):
            found.append(Flag(None, None, SOURCE, "unsafe-path",
                              f"{path.name}: member {name!r} has an unsafe path; ignored",
                              f"{path.name}: el archivo {name!r} tiene una ruta peligrosa; se ignora"))
            continue
        parts = [p for p in pure.parts if p not in ("", ".")]
        if not parts or _ignored(parts):
            continue
        if info.file_size > max_bytes or total + info.file_size > MAX_ZIP_TOTAL_BYTES:
            found.append(_oversized(name, info.file_size, max_bytes))
            continue
        total += info.file_size
        entries.append(("/".join(parts), functools.partial(_read_member, zf, info, max_bytes)))
    return zf, entries


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int) -> bytes:
    with zf.open(info) as fh:  # the header's size may lie: never read more than the limit
        data = fh.read(max_bytes + 1)
    return data


def write_atomic(dest: Path, data: bytes) -> None:
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, dest)
