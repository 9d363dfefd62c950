"""Helpers shared by the test modules: the graded samples and scratch course roots."""
from __future__ import annotations

import os
from pathlib import Path

from labkit.grading import samples
from labkit.grading.collect.release import release
from labkit.grading.course import REPO, Course

# nbgrader batches (one worker start-up each): the even assignments' reference and blank in one, the
# odd ones' in the other, so that the two xdist workers take one each.
N_GROUPS = 2
# Catalogue entries per assignment graded through the whole nbgrader pipeline (the demo grades one
# per assignment): none in CI, where every entry takes the quick path (labkit.grading.fastcheck, test
# cells in their own scope as in grading), the attacks of the adversarial catalogue run through the
# grader's own executor (tests/test_adversarial.py) and part0's wrong twins and attacks go through the
# whole pipeline in the red-team batch. `labkit verify` grades the whole catalogue through nbgrader.
NBGRADER_WRONG_PER_ASSIGNMENT = 0
NBGRADER_FULL_PER_ASSIGNMENT = 0


def all_samples() -> list[tuple[str, str]]:
    """(assignment, student) graded by nbgrader in CI: reference, blank release, sampled entries."""
    course = Course()
    pairs = [(a, s) for a in course.assignments() for s in ("reference", "blank")]
    picked = samples.pick(samples.catalogue(course.assignments()), NBGRADER_WRONG_PER_ASSIGNMENT,
                          NBGRADER_FULL_PER_ASSIGNMENT)
    pairs += [(spec.assignment, spec.student) for spec in picked]
    return pairs


SAMPLES = all_samples()
# CI checks, by the quick path, one entry per answer cell not already covered by the nbgrader
# samples (about a third of the catalogue: CI's time budget); LAB08_FULL_CATALOGUE=1 checks every
# entry (`labkit verify` grades them all through nbgrader).
FULL_CATALOGUE = os.environ.get("LAB08_FULL_CATALOGUE") == "1"


def _fast_specs() -> list[samples.SampleSpec]:
    specs = samples.catalogue(Course().assignments())
    graded = set(SAMPLES)
    rest = [s for s in specs if (s.assignment, s.student) not in graded]
    if FULL_CATALOGUE:
        return rest
    covered = {(s.assignment, cell) for s in specs if (s.assignment, s.student) in graded and not s.expect_full
               for cell in s.cells}
    kept = _merged_full([s for s in rest if s.expect_full])  # every right answer is checked
    for spec in (s for s in rest if not s.expect_full):
        new = {(spec.assignment, cell) for cell in spec.cells} - covered
        if new:
            kept.append(spec)
            covered |= new
    return kept


def _merged_full(specs: list[samples.SampleSpec]) -> list[samples.SampleSpec]:
    """Correct alternatives of one assignment that answer different cells run together in one
    notebook (each must keep full marks, so together they must too): one execution instead of one
    per alternative. Alternatives that answer the same cell stay apart."""
    import dataclasses

    groups: list[samples.SampleSpec] = []
    for spec in specs:
        home = next((g for g in groups if g.assignment == spec.assignment and not set(g.cells) & set(spec.cells)), None)
        if home is None:
            groups.append(dataclasses.replace(spec, cells=dict(spec.cells), appended=set(spec.appended)))
        else:
            home.student += "+" + spec.student
            home.description += " | " + spec.description
            home.cells.update(spec.cells)
            home.appended |= spec.appended
    return groups


FAST_SPECS = _fast_specs()
FAST_CHUNK = 16  # entries checked in one kernel (labkit.grading.fastcheck.run_many): one per assignment in CI

# --- the adversarial catalogue (tests/test_adversarial.py) -----------------------------------------
ADVERSARIAL = samples.adversarial()
ADVERSARIAL_BY_ID = {(s.assignment, s.student): s for s in ADVERSARIAL}
NBGRADER_ATTACKS = {"part0_numpy_bridge"}  # graded in tests/test_redteam.py's batch
GUARDED_ATTACKS = {"patch-class"}  # change shared state: each runs alone in a sandboxed kernel


def _checked_attacks() -> list[samples.SampleSpec]:
    """The attacks CI runs: the first of each class per assignment (CI's time budget); with
    LAB08_FULL_CATALOGUE=1 every attack (`labkit verify` grades any of them through nbgrader)."""
    attacks = [s for s in ADVERSARIAL if s.attack]
    if FULL_CATALOGUE:
        return attacks
    seen, kept = set(), []
    for spec in attacks:
        if (spec.assignment, spec.attack) not in seen:
            seen.add((spec.assignment, spec.attack))
            kept.append(spec)
    return kept


CHECKED_ATTACKS = _checked_attacks()


def twin_failures(attack: samples.SampleSpec) -> set[str]:
    """The test cells the attack's honest twin declares it fails."""
    return set(ADVERSARIAL_BY_ID[(attack.assignment, attack.twin)].expect_fail)


def attack_entry(attack: samples.SampleSpec) -> samples.SampleSpec:
    """The attack as a quick-path entry that must fail every test cell its twin declares it fails."""
    import dataclasses

    return dataclasses.replace(attack, expect_fail=sorted(twin_failures(attack)), expect_full=False)


# test-values and fake-result attacks change no shared state: they run in their assignment's quick
# kernel, after its catalogue entries (so nothing they might leave behind reaches an entry)
QUICK_ATTACKS = [attack_entry(a) for a in CHECKED_ATTACKS
                 if a.attack not in GUARDED_ATTACKS and a.assignment not in NBGRADER_ATTACKS]


def _fast_groups() -> dict[tuple[str, str], str]:
    groups, count = {}, {}
    for spec in FAST_SPECS + QUICK_ATTACKS:
        k = count.get(spec.assignment, 0)
        count[spec.assignment] = k + 1
        groups[(spec.assignment, spec.student)] = f"fast-{spec.assignment}-{k // FAST_CHUNK}"
    return groups


FAST_GROUP_OF = _fast_groups()
_ORDER = {a: i for i, a in enumerate(Course().assignments())}
GROUP_OF = {pair: f"grading-{_ORDER[pair[0]] % N_GROUPS}" for pair in SAMPLES}
# Half of the nbgrader batches grade without bubblewrap (LAB08_SANDBOX=off), as a machine without it
# would (issue 13): the references and blanks of every odd assignment (part7, with its companion
# file, among them). The fallback path cannot rot unseen.
FALLBACK_GROUPS = {"grading-1"}


def make_scratch_course(root: Path, assignments: list[str] | None = None) -> Course:
    """A course root whose ``source/`` is the repository's, with release/ and gradebook generated
    (for ``assignments`` only, when given: releasing all eight takes ~30 s)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "source").symlink_to(REPO / "source", target_is_directory=True)
    course = Course.scratch(root)
    release(course, assignments)
    return course
