"""Intake checks: each collected submission against its release, repairing what nbgrader cannot
grade — before any student code runs (the submissions come from :mod:`labkit.grading.collect.lms`).

* :func:`check_submission` compares a submitted notebook with ``release/<a>/<a>.ipynb``;
  :func:`sanitize` also rewrites it so that nbgrader can grade it (the untouched original is kept
  in ``reports/originals/<student>/<assignment>.ipynb``); :func:`prepare` runs it over the
  submissions about to be graded and returns the ones that can be.
* Every finding is a :class:`~labkit.grading.flags.Flag`, appended to ``reports/flags.jsonl`` with
  ``source: "intake"``.

What nbgrader 0.9.6 already does by itself, and what is left to this module (checked against its
``Autograde`` sanitising step: ``DeduplicateIds``, ``OverwriteCells``, ``CheckCellMetadata``):

================================  ==========================================  =====================
submission                        plain nbgrader                              here
================================  ==========================================  =====================
edited locked / test cell         source restored from the gradebook          flag only
forged ``points``                 restored from the gradebook                 reset + flag
forged ``locked``                 restored                                    reset + flag
forged ``grade`` / ``solution``   submission fails (not graded)               reset + flag
forged / missing schema_version   submission fails (SchemaTooOldError)        reset + flag
extra grade cell (unknown id)     grade_id dropped, then validation fails     strip + flag
duplicate grade_id                all but the last emptied, then the schema   keep first + flag
                                  check fails (SchemaTooOldError)
deleted answer / test cell        its points go to manual grading             re-insert + flag
                                  (``add_missing_cells`` is off by default)
reordered cells                   run in the student's order (tests fail)     restore + flag
notebook of another assignment    fails (its grade cells are unknown)         flag, not graded
invalid JSON / not a notebook     the submission fails                        flag, not graded
================================  ==========================================  =====================
"""
from __future__ import annotations

import copy
import functools
import uuid
import warnings
from pathlib import Path

from labkit.grading.collect.lms import SOURCE, write_atomic
from labkit.grading.course import Course
from labkit.grading.flags import Flag, append_flags

_META_KEYS = ("grade", "solution", "locked", "points", "grade_id", "schema_version", "task", "cell_type")
# a notebook "is" another assignment when it holds at least this share of that release's graded
# cells, and this much more than of the named one's
_OTHER_MIN_SHARE, _OTHER_MARGIN = 0.5, 0.3


# --- checking and repairing --------------------------------------------------------------------

def _gid(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nbgrader")
    gid = meta.get("grade_id") if isinstance(meta, dict) else None
    return gid if isinstance(gid, str) and gid else None


@functools.lru_cache(maxsize=32)
def _release_cached(path: str, mtime_ns: int):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    order = [g for g in (_gid(c) for c in nb.cells) if g]
    return nb, order


def _release(course: Course, assignment: str):
    """(release notebook, its grade_ids in order), or None when there is no release."""
    path = course.notebook("release", assignment)
    if not path.is_file():
        return None
    return _release_cached(str(path), path.stat().st_mtime_ns)


def _read_notebook(data: bytes):
    import nbformat

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        nbformat.validate(nb)
    if not isinstance(nb.get("cells"), list):
        raise ValueError("no cells")
    return nb


def _norm(source) -> str:
    text = "".join(source) if isinstance(source, list) else str(source)
    return "\n".join(ln.rstrip() for ln in text.replace("\r\n", "\n").strip().split("\n"))


def _meta_view(meta: dict) -> dict:
    view = {k: meta.get(k) for k in _META_KEYS}
    view["task"] = bool(meta.get("task", False))
    if view["points"] is not None:
        try:
            view["points"] = float(view["points"])
        except (TypeError, ValueError):
            pass
    if not view["grade"]:
        view["points"] = None  # nbgrader ignores points on a cell that is not graded
    return view


def _meta_diff(meta: dict, ref: dict) -> list[str]:
    got, want = _meta_view(meta), _meta_view(ref)
    if "cell_type" not in meta:  # nbgrader's own record of the cell type; optional
        got["cell_type"] = want["cell_type"]
    return [f"{k} {want[k]!r}→{got[k]!r}" for k in _META_KEYS if got[k] != want[k]]


def _ids(items) -> str:
    items = list(items)
    return ", ".join(items[:8]) + (f" (+{len(items) - 8} more)" if len(items) > 8 else "")


def _analyse(course: Course, assignment: str, student: str):
    """(flags, repaired notebook or None when nothing needs rewriting, original bytes)."""
    path = course.notebook("submitted", assignment, student)
    ref = _release(course, assignment)
    F = functools.partial(Flag, assignment, student, SOURCE)
    try:
        data = path.read_bytes()
        nb = _read_notebook(data)
    except Exception as err:
        detail = str(err).splitlines()[0] if str(err) else ""
        why = type(err).__name__ + (f": {detail[:80]}" if detail else "")
        return [F("unreadable", f"not a valid notebook ({why}); not graded",
                  "El archivo entregado no es un notebook válido (¿dañado o incompleto?); no se ha "
                  "calificado. Descárgalo de nuevo desde Jupyter (File → Download) y vuelve a entregarlo.",
                  gradable=False)], None, None
    if ref is None:
        return [], None, data  # no release to compare with: nbgrader decides
    ref_nb, order = ref
    wrong = _wrong_notebook(course, assignment, nb, order, F)
    if wrong is not None:
        return [wrong], None, data
    ref_cells = {_gid(c): c for c in ref_nb.cells if _gid(c)}
    flags, changed = [], False
    for step in (_strip_unknown, _reset_forged, _edited_locked):  # 2-4, then 5: deleted and moved cells
        found, touched = step(nb, ref_cells, F)
        flags += found
        changed |= touched
    found, touched = _restore(nb, ref_nb, order, F)
    return flags + found, (nb if changed or touched else None), data


def _wrong_notebook(course: Course, assignment: str, nb, order: list[str], F) -> Flag | None:
    """1. The notebook of another assignment, or one with none of this release's nbgrader cells:
    a flag that rules it out (None: it is this assignment's notebook)."""
    ids = {g for g in (_gid(c) for c in nb.cells) if g}
    share = len(ids & set(order)) / max(1, len(order))
    best = None
    for other in course.assignments():
        other_ref = _release(course, other) if other != assignment else None
        if other_ref and other_ref[1]:
            s = len(ids & set(other_ref[1])) / len(other_ref[1])
            if s >= _OTHER_MIN_SHARE and s >= share + _OTHER_MARGIN and (best is None or s > best[1]):
                best = (other, s)
    if best:
        return F("wrong-assignment",
                 f"looks like the notebook of {best[0]} ({best[1]:.0%} of its graded cells, "
                 f"{share:.0%} of {assignment}'s); not graded as {assignment}",
                 f"Este archivo parece el notebook de {best[0]}, no el de {assignment}; no se ha "
                 f"calificado. Comprueba que has entregado el archivo correcto.", gradable=False)
    if order and not ids & set(order):
        return F("no-nbgrader-cells",
                 f"none of the {len(order)} nbgrader cells of {assignment} is in the notebook (another "
                 "file, or its cell metadata was removed); not graded",
                 f"El notebook no contiene ninguna celda calificable de {assignment} (¿otro archivo, o se "
                 "borraron los metadatos de las celdas?); no se ha calificado. Trabaja sobre el notebook "
                 "publicado y entrégalo de nuevo.", gradable=False)
    return None


def _strip_unknown(nb, ref_cells: dict, F) -> tuple[list[Flag], bool]:
    """2. Extra grade cells and duplicate grade_ids: strip their nbgrader metadata."""
    flags, changed = [], False
    extra, dups, seen = [], [], set()
    for i, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        gid = _gid(cell)
        if gid in ref_cells and gid not in seen:
            seen.add(gid)
            continue
        if gid in ref_cells:
            dups.append(gid)
        elif _needs_strip(meta):
            extra.append(gid or f"cell {i}")
        else:
            continue
        del cell.metadata["nbgrader"]
        changed = True
    if extra:
        flags.append(F("extra-grade-cells",
                       f"cells marked for grading that are not in the release: {_ids(extra)}; their nbgrader "
                       "metadata was removed (the code still runs, ungraded)",
                       f"Había celdas marcadas como calificables que no son del enunciado ({_ids(extra)}); se "
                       "ejecutan, pero no puntúan."))
    if dups:
        flags.append(F("duplicate-grade-ids",
                       f"grade_id used by more than one cell: {_ids(dict.fromkeys(dups))}; the first kept, the "
                       "copies' nbgrader metadata removed",
                       f"Había celdas duplicadas con el mismo identificador ({_ids(dict.fromkeys(dups))}), p. ej. "
                       "al copiar y pegar una celda; se califica la primera y las copias se ejecutan sin puntuar."))
    return flags, changed


def _reset_forged(nb, ref_cells: dict, F) -> tuple[list[Flag], bool]:
    """3. Forged metadata: reset to the release."""
    forged = []
    for cell in nb.cells:
        gid = _gid(cell)
        if gid in ref_cells:
            ref_cell = ref_cells[gid]
            diff = _meta_diff(cell.metadata["nbgrader"], ref_cell.metadata["nbgrader"])
            if cell.cell_type != ref_cell.cell_type:
                diff.append(f"cell type {ref_cell.cell_type}→{cell.cell_type}")
                _set_cell_type(cell, ref_cell.cell_type)
            if diff:
                forged.append(f"{gid} ({', '.join(diff)})")
                cell.metadata["nbgrader"] = copy.deepcopy(ref_cell.metadata["nbgrader"])
    if not forged:
        return [], False
    return [F("forged-metadata",
              f"nbgrader metadata differs from the release, reset: {_ids(forged)}",
              "Se modificaron los metadatos de calificación de algunas celdas "
              f"({_ids(g.split(' ')[0] for g in forged)}); se han restaurado los del enunciado.")], True


def _edited_locked(nb, ref_cells: dict, F) -> tuple[list[Flag], bool]:
    """4. Edited locked cells (nbgrader restores their source from the gradebook): a flag only."""
    edited = [g for g in (_gid(c) for c in nb.cells if _gid(c) in ref_cells)
              if ref_cells[g].metadata["nbgrader"].get("locked")
              and _norm(_cell_of(nb, g).source) != _norm(ref_cells[g].source)]
    if not edited:
        return [], False
    return [F("edited-locked-cells",
              f"locked/test cells edited: {_ids(edited)} (nbgrader grades them with the gradebook's "
              "version, so the edits have no effect)",
              f"Se modificaron celdas bloqueadas o de test ({_ids(edited)}); se califican con su "
              "versión original, así que los cambios no cuentan.")], False


def _restore(nb, ref_nb, order: list[str], F) -> tuple[list[Flag], bool]:
    """5. Deleted and reordered cells: release order for the nbgrader cells."""
    missing, moved = _restore_structure(nb, ref_nb, order)
    flags = []
    if missing:
        flags.append(F("missing-cells",
                       f"deleted nbgrader cells re-inserted from the release: {_ids(missing)}",
                       f"Faltaban celdas del enunciado ({_ids(missing)}); se han vuelto a insertar antes de "
                       "calificar (las de respuesta, vacías). No borres celdas del enunciado."))
    if moved:
        flags.append(F("reordered-cells",
                       f"nbgrader cells out of the release order, moved back: {_ids(moved)}",
                       f"Algunas celdas estaban fuera de su sitio ({_ids(moved)}); se han devuelto a su "
                       "posición original antes de calificar."))
    return flags, bool(missing or moved)


def _needs_strip(meta) -> bool:
    """Metadata of a cell that is not in the release: harmless only if it marks nothing and
    nbgrader's schema check (version 3) accepts it."""
    if not isinstance(meta, dict):
        return True
    if meta.get("grade") or meta.get("solution") or meta.get("locked") or meta.get("task"):
        return True
    return meta.get("schema_version") != 3 or any(
        not isinstance(meta.get(k, False), bool) for k in ("grade", "solution", "locked", "task"))


def _set_cell_type(cell, cell_type: str) -> None:
    cell.cell_type = cell_type
    if cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def _cell_of(nb, gid):
    return next(c for c in nb.cells if _gid(c) == gid)


def _longest_increasing(ranks: list[int]) -> set[int]:
    """Indices of a longest strictly increasing subsequence (the cells that can stay)."""
    import bisect

    tails, tails_idx, prev = [], [], [-1] * len(ranks)
    for i, r in enumerate(ranks):
        k = bisect.bisect_left(tails, r)
        if k == len(tails):
            tails.append(r)
            tails_idx.append(i)
        else:
            tails[k], tails_idx[k] = r, i
        prev[i] = tails_idx[k - 1] if k else -1
    keep, i = set(), tails_idx[-1] if tails_idx else -1
    while i >= 0:
        keep.add(i)
        i = prev[i]
    return keep


def _restore_structure(nb, ref_nb, order: list[str]) -> tuple[list[str], list[str]]:
    """Re-insert deleted release cells and move misplaced ones back; (missing, moved) grade_ids.

    The nbgrader cells that are already in release order (the longest such run) stay where they
    are, with every cell the student added; each other one goes right after its predecessor in the
    release, past the student's copies of the release cells that follow that predecessor there."""
    rank = {g: i for i, g in enumerate(order)}
    present = [(i, _gid(c)) for i, c in enumerate(nb.cells) if _gid(c) in rank]
    keep_idx = _longest_increasing([rank[g] for _, g in present])
    keep = {g for k, (_, g) in enumerate(present) if k in keep_idx}
    moved = [g for _, g in present if g not in keep]
    missing = [g for g in order if g not in {g for _, g in present}]
    if not moved and not missing:
        return [], []
    moved_cells = {g: nb.cells[i] for i, g in present if g in moved}
    nb.cells = [c for c in nb.cells if _gid(c) not in moved_cells]
    ref_pos = {_gid(c): i for i, c in enumerate(ref_nb.cells) if _gid(c)}
    ref_ids = [c.get("id") for c in ref_nb.cells]
    used_ids = {c.get("id") for c in nb.cells}
    for k, g in enumerate(order):
        if g in keep:
            continue
        if g in moved_cells:
            cell = moved_cells[g]
        else:
            cell = copy.deepcopy(ref_nb.cells[ref_pos[g]])
            if nb.get("nbformat_minor", 5) < 5:
                cell.pop("id", None)
            elif cell.get("id") in used_ids:
                cell["id"] = uuid.uuid4().hex[:8]
            used_ids.add(cell.get("id"))
        if k:
            prev = order[k - 1]
            j = next(i for i, c in enumerate(nb.cells) if _gid(c) == prev) + 1
            between = set(ref_ids[ref_pos[prev] + 1: ref_pos[g]])
        else:
            j, between = 0, set(ref_ids[: ref_pos[g]])
        while j < len(nb.cells) and _gid(nb.cells[j]) not in rank and nb.cells[j].get("id") in between:
            j += 1
        nb.cells.insert(j, cell)
    return missing, moved


def check_submission(course: Course, assignment: str, student: str) -> list[Flag]:
    """What is wrong with ``submitted/<student>/<assignment>/<assignment>.ipynb`` (nothing changed)."""
    return _analyse(course, assignment, student)[0]


def originals_path(course: Course, assignment: str, student: str) -> Path:
    return course.root / "reports" / "originals" / student / f"{assignment}.ipynb"


def sanitize(course: Course, assignment: str, student: str) -> list[Flag]:
    """Check a submission and rewrite it so that nbgrader can grade it as far as possible; the
    untouched original goes to ``reports/originals/<student>/<assignment>.ipynb`` first. A clean
    submission is left as it is. Returns the flags (not recorded: :func:`prepare` does)."""
    import nbformat

    flags, repaired, original = _analyse(course, assignment, student)
    if repaired is not None:
        keep = originals_path(course, assignment, student)
        keep.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(keep, original)
        text = nbformat.writes(repaired)
        write_atomic(course.notebook("submitted", assignment, student),
                      (text if text.endswith("\n") else text + "\n").encode("utf-8"))
    return flags


def prepare(course: Course, pairs: list[tuple[str, str]], echo=print) -> tuple[list[tuple[str, str]], list[Flag]]:
    """Check and repair every submission about to be graded; record and print one line per flag.
    Returns the pairs nbgrader can grade (in order) and every flag."""
    gradable, found = [], []
    for assignment, student in pairs:
        try:
            flags = sanitize(course, assignment, student)
        except Exception as err:  # never stop the class for one file: nbgrader decides
            flags = [Flag(assignment, student, SOURCE, "intake-error",
                          f"could not check the notebook ({type(err).__name__}: {err}); graded as submitted",
                          "No se pudo revisar la estructura del notebook; se califica tal cual.")]
        found += flags
        for f in flags:
            echo(f.line())
        if all(f.gradable for f in flags):
            gradable.append((assignment, student))
    append_flags(course.root, found)
    return gradable, found


def not_graded(flags: list[Flag]) -> dict[tuple[str, str], str]:
    """(assignment, student) -> why it is not graded, for the submissions flags rule out."""
    out: dict[tuple[str, str], str] = {}
    for f in flags:
        if not f.gradable and f.assignment and f.student:
            out.setdefault((f.assignment, f.student), f"{f.kind}: {f.message}")
    return out
