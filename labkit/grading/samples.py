"""Sample submissions built from the notebooks: the reference solution, the blank release, and
the course's catalogue of wrong (and noisy-but-correct) submissions in ``tests/submissions/``.

A catalogue entry is a small Python file, ``tests/submissions/<assignment>/<student>.py``::

    \"\"\"What the student got wrong, in one sentence.

    expect_fail: activations_stable, activations_match_numpy
    \"\"\"
    # %% activations
    def softmax(z):
        ...

Each ``# %% <grade_id>`` section replaces that answer cell of the reference solution; a
``# %% <grade_id> +`` section is appended to the reference answer instead (its definitions win, so an
entry holds only the wrong function of a cell that defines several). Every other answer cell keeps
the reference answer. ``expect_fail`` lists the test cells that must lose points;
``expect: full`` marks a submission that must keep full marks (e.g. correct code that warns).

The adversarial catalogue (``tests/adversarial/<assignment>/``, issue 14) has the same format. An
attack says ``attack: test-values|fake-result|patch-class`` and ``twin: <student>``: the honest wrong
answer it is paired with (an ordinary entry of that folder, with its ``expect_fail``). In no test cell
may an attack score more than its twin (:func:`attack_problems`).

``labkit verify`` grades the samples and checks each one: :func:`verdict`, :func:`attack_problems`,
and :func:`stderr_cells` (the reference writes nothing to stderr).
"""
from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from labkit.grading.course import REPO, Course

CATALOGUE = REPO / "tests" / "submissions"
ADVERSARIAL = REPO / "tests" / "adversarial"
ATTACK_CLASSES = ("test-values", "fake-result", "patch-class")
_MARKERS = re.compile(r"^\s*###\s*(BEGIN|END) SOLUTION\s*$")


@dataclass
class SampleSpec:
    """One catalogue entry."""

    student: str
    assignment: str
    description: str
    cells: dict[str, str]
    expect_fail: list[str] = field(default_factory=list)
    expect_full: bool = False
    path: Path | None = None
    appended: set[str] = field(default_factory=set)  # grade_ids whose code follows the reference
    attack: str = ""  # adversarial catalogue: the class of attack, and the honest wrong twin
    twin: str = ""


def parse_spec(path: Path) -> SampleSpec:
    """Read a catalogue file (see the module docstring)."""
    text = Path(path).read_text()
    doc = ast.get_docstring(ast.parse(text)) or ""
    meta = dict(re.findall(r"^(expect_fail|expect|attack|twin):\s*(.+)$", doc, re.M))
    description = doc.split("\n\n")[0].strip()
    cells: dict[str, str] = {}
    appended: set[str] = set()
    current = None
    for line in text.splitlines(keepends=True):
        m = re.match(r"^# %% (\w+)( \+)?\s*$", line)
        if m:
            current = m.group(1)
            cells[current] = ""
            if m.group(2):
                appended.add(current)
        elif current:
            cells[current] += line
    cells = {k: v.strip("\n") + "\n" for k, v in cells.items()}
    fails = [s.strip() for s in meta.get("expect_fail", "").split(",") if s.strip()]
    full = meta.get("expect", "").strip() == "full"
    if not cells:
        raise ValueError(f"{path}: no '# %% <grade_id>' section")
    attack, twin = meta.get("attack", "").strip(), meta.get("twin", "").strip()
    if attack and (attack not in ATTACK_CLASSES or not twin):
        raise ValueError(f"{path}: an attack needs 'attack: {'|'.join(ATTACK_CLASSES)}' and 'twin: <student>'")
    if not fails and not full and not attack:
        raise ValueError(f"{path}: say 'expect_fail: ...' or 'expect: full' in the docstring")
    return SampleSpec(Path(path).stem, Path(path).parent.name, description, cells, fails, full,
                      Path(path), appended, attack, twin)


def catalogue(assignments: list[str] | None = None) -> list[SampleSpec]:
    """Every catalogue entry (optionally only for some assignments), sorted by student id."""
    specs = [parse_spec(p) for p in sorted(CATALOGUE.glob("*/*.py"))]
    if assignments is not None:
        specs = [s for s in specs if s.assignment in assignments]
    return specs


def adversarial(assignments: list[str] | None = None) -> list[SampleSpec]:
    """The adversarial catalogue: attacks and their honest twins, sorted by student id.

    In an attack, a ``# %% <grade_id> +`` section appends the cheat to its *twin's* answer for that
    cell (when the twin answers it), so that the attack is literally the twin plus the cheat."""
    specs = [parse_spec(p) for p in sorted(ADVERSARIAL.glob("*/*.py"))]
    specs = [s for s in specs if assignments is None or s.assignment in assignments]
    by_id = {(s.assignment, s.student): s for s in specs}
    for spec in specs:
        twin = by_id.get((spec.assignment, spec.twin)) if spec.attack else None
        for gid in sorted(spec.appended & set(twin.cells) if twin else ()):
            spec.cells[gid] = twin.cells[gid].rstrip("\n") + "\n\n\n" + spec.cells[gid]
            if gid not in twin.appended:
                spec.appended.discard(gid)
    return specs


def attack_problems(attack: SampleSpec, score, twin_score) -> list[str]:
    """An attack must gain nothing: in every test cell it scores at most what its twin scores, and
    the twin (an honest wrong answer) really loses points."""
    if score is None or twin_score is None:
        return ["attack or twin not graded"]
    problems = [] if not twin_score.full else [f"the twin {attack.twin} got full marks: it is no wrong answer"]
    gained = {cell: (got[0], twin_score.cells.get(cell, (0, 0))[0]) for cell, got in score.cells.items()
              if got[0] > twin_score.cells.get(cell, (0, 0))[0]}
    if gained:
        problems.append("gains over its twin in " + ", ".join(f"{c} ({a:g} > {t:g})" for c, (a, t) in gained.items()))
    return problems


def _cells_by_id(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade_id")}


def solution_text(source_cell) -> str:
    """A source answer cell as a student would have written it (solution markers removed)."""
    lines = source_cell.source.splitlines()
    return "\n".join(ln for ln in lines if not _MARKERS.match(ln)).strip("\n")


def blank_notebook(course: Course, assignment: str):
    """The release notebook, untouched (a student who submits without answering)."""
    return nbformat.read(course.notebook("release", assignment), as_version=4)


def reference_notebook(course: Course, assignment: str):
    """The release notebook with every answer cell (code and written) filled from ``source/``."""
    nb = blank_notebook(course, assignment)
    src = _cells_by_id(nbformat.read(course.notebook("source", assignment), as_version=4))
    for grade_id, cell in _cells_by_id(nb).items():
        meta = cell.metadata["nbgrader"]
        if meta.get("solution"):
            cell.source = solution_text(src[grade_id])
    return nb


def spec_notebook(course: Course, spec: SampleSpec):
    """The reference notebook with the spec's answer cells replaced."""
    nb = reference_notebook(course, spec.assignment)
    cells = _cells_by_id(nb)
    for grade_id, code in spec.cells.items():
        if grade_id not in cells or not cells[grade_id].metadata["nbgrader"].get("solution"):
            raise ValueError(f"{spec.path}: '{grade_id}' is not an answer cell of {spec.assignment}")
        code = code.rstrip("\n")
        if grade_id in spec.appended:
            code = cells[grade_id].source.rstrip("\n") + "\n\n\n" + code
        cells[grade_id].source = code
    return nb


def write_submission(course: Course, student: str, assignment: str, nb) -> Path:
    path = course.notebook("submitted", assignment, student)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(copy.deepcopy(nb), path)
    return path


def pick(specs: list[SampleSpec], wrong_per_assignment: int | None,
         full_per_assignment: int | None = None) -> list[SampleSpec]:
    """All specs, or per assignment the first ``n`` wrong ones plus the ``expect: full`` ones (all of
    them, or the first ``full_per_assignment``)."""
    if wrong_per_assignment is None:
        return specs
    kept, seen, full = [], {}, {}
    for spec in specs:
        if spec.expect_full:
            if full_per_assignment is None or full.get(spec.assignment, 0) < full_per_assignment:
                full[spec.assignment] = full.get(spec.assignment, 0) + 1
                kept.append(spec)
        elif seen.get(spec.assignment, 0) < wrong_per_assignment:
            seen[spec.assignment] = seen.get(spec.assignment, 0) + 1
            kept.append(spec)
    return kept


def build_samples(course: Course, assignments: list[str] | None = None,
                  wrong_per_assignment: int | None = None) -> list[tuple[str, str]]:
    """Write the reference, blank and catalogue submissions; return (assignment, student) pairs.

    ``wrong_per_assignment`` limits the catalogue to that many wrong submissions per assignment
    (``None``: the whole catalogue).
    """
    assignments = assignments or course.assignments()
    pairs = []
    for a in assignments:
        write_submission(course, "reference", a, reference_notebook(course, a))
        write_submission(course, "blank", a, blank_notebook(course, a))
        pairs += [(a, "reference"), (a, "blank")]
    for spec in pick(catalogue(assignments), wrong_per_assignment):
        write_submission(course, spec.student, spec.assignment, spec_notebook(course, spec))
        pairs.append((spec.assignment, spec.student))
    return pairs


def verdict(student: str, score, spec: SampleSpec | None = None) -> list[str]:
    """Problems with a graded sample: the reference must get full marks, the blank release zero, and
    a catalogue entry must lose points in (at least) the test cells its ``expect_fail`` names.
    An empty list means the sample behaves as the catalogue says."""
    if score is None or score.max_code_score <= 0:
        return ["no autograded score in the gradebook"]
    failed = {k: v for k, v in score.cells.items() if v[0] < v[1]}
    if student == "reference":
        return [] if score.full else [f"reference solution lost points in {sorted(failed)}"]
    if student == "blank":
        return [] if score.code_score == 0 else [f"blank release scored {score.code_score:g}"]
    if spec is None:
        return [f"{student} is not in the catalogue"]
    if spec.expect_full:
        return [] if score.full else [f"must keep full marks ({spec.description}); lost {sorted(failed)}"]
    problems = []
    if score.full:
        problems.append(f"got full marks ({spec.description})")
    unknown = [c for c in spec.expect_fail if c not in score.cells]
    if unknown:
        problems.append(f"expect_fail names unknown test cells {unknown}")
    missing = [c for c in spec.expect_fail if c in score.cells and c not in failed]
    if missing:
        problems.append(f"should fail {missing}; it failed {sorted(failed)}")
    return problems


def stderr_cells(path: Path) -> list[str]:
    """Cells of an executed notebook with stderr output (relabelled by ``StderrToStdout`` or not):
    framework noise that students would see and that plain nbgrader turns into lost points."""
    from labkit.grading.run.preprocessors import STDERR_MARK

    noisy = []
    for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
        for out in cell.get("outputs", []):
            if out.get("name") == "stderr" or str(out.get("text", "")).startswith(STDERR_MARK):
                noisy.append(cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {i}")
                break
    return noisy
