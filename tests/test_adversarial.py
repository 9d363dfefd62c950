"""Issue 14: the adversarial catalogue (``tests/adversarial/<assignment>/``) gains nothing anywhere.

Every attack — reading what a hidden test computes (``test-values``), returning an object that fakes
a comparison (``fake-result``), patching a framework class a test relies on (``patch-class``) — is
paired with its honest wrong twin: the same wrong answer without the cheat. Attacks run the way
grading runs them (:func:`labkit.grading.fastcheck.run_guarded`: the sandboxed kernel, each test cell
in its own scope, the integrity probes), trimmed to the test cells the twin must fail; in none of
those cells may the attack pass where its twin fails. Twins are honest code, so they take the quick
path (one kernel for all the twins of an assignment).

part0's attacks are graded through the whole nbgrader pipeline in the red-team batch
(``tests/test_redteam.py``), next to the REDTEAM.md attacks.
"""
from __future__ import annotations

import pytest

from labkit.grading import fastcheck, samples
from labkit.grading.course import Course

import os

NBGRADER_GRADED = {"part0_numpy_bridge"}  # graded in tests/test_redteam.py's batch
ALL = samples.adversarial()
BY_ID = {(s.assignment, s.student): s for s in ALL}
ATTACKS = [s for s in ALL if s.attack]


def _checked() -> list:
    """The attacks CI runs: the first of each class per assignment (CI's time budget); with
    LAB08_FULL_CATALOGUE=1 every attack (`labkit verify` grades any of them through nbgrader)."""
    if os.environ.get("LAB08_FULL_CATALOGUE") == "1":
        return ATTACKS
    seen, kept = set(), []
    for spec in ATTACKS:
        if (spec.assignment, spec.attack) not in seen:
            seen.add((spec.assignment, spec.attack))
            kept.append(spec)
    return kept


CHECKED = _checked()


def _keep(attack) -> set[str]:
    return set(BY_ID[(attack.assignment, attack.twin)].expect_fail)


def _param(spec):
    return pytest.param(spec, id=f"{spec.assignment}-{spec.student}",
                        marks=pytest.mark.xdist_group(f"adversarial-{spec.assignment}"))


@pytest.fixture(scope="session")
def adversarial_course(tmp_path_factory):
    from support import make_scratch_course

    cache: dict = {}

    def get(assignment):  # one scratch course per assignment: releasing all of them takes ~30 s
        if assignment not in cache:
            cache[assignment] = make_scratch_course(tmp_path_factory.mktemp(f"adversarial-{assignment}"), [assignment])
        return cache[assignment]

    return get


@pytest.fixture(scope="session")
def twin_results():
    """``twin_results(assignment)`` -> {twin id: FastResult}, all the assignment's twins in one kernel."""
    cache: dict[str, dict] = {}

    def get(assignment):
        if assignment not in cache:
            twins = [s for s in ALL if s.assignment == assignment and not s.attack
                     and any(a.twin == s.student for a in CHECKED if a.assignment == assignment)]
            cache[assignment] = {r.spec.student: r for r in fastcheck.run_many(Course(), twins)}
        return cache[assignment]

    return get


def test_the_adversarial_catalogue_is_complete():
    """Every assignment has at least one attack of each class, each with a twin that is a wrong answer."""
    problems = []
    for a in Course().assignments():
        classes = {s.attack for s in ATTACKS if s.assignment == a}
        if a not in NBGRADER_GRADED and set(samples.ATTACK_CLASSES) - classes:
            problems.append(f"{a}: no attack of class {sorted(set(samples.ATTACK_CLASSES) - classes)}")
    for s in ATTACKS:
        twin = BY_ID.get((s.assignment, s.twin))
        if twin is None or twin.attack or twin.expect_full or not twin.expect_fail:
            problems.append(f"{s.student}: twin {s.twin} is not an honest wrong entry of {s.assignment}")
    ids = [s.student for s in ALL] + [s.student for s in samples.catalogue()]
    problems += [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    assert not problems, problems


@pytest.mark.grading
@pytest.mark.parametrize("attack", [_param(s) for s in CHECKED if s.assignment not in NBGRADER_GRADED])
def test_an_attack_never_beats_its_honest_twin(attack, adversarial_course, twin_results):
    twin = twin_results(attack.assignment)[attack.twin]
    assert not twin.problems, f"the twin {attack.twin} does not fail where it says: {twin.problems}"
    result = fastcheck.run_guarded(adversarial_course(attack.assignment), attack, _keep(attack))
    gained = [cell for cell, err in result.errors.items() if err is None and twin.errors.get(cell) is not None]
    assert not gained, (f"{attack.student} ({attack.attack}: {attack.description}) passes {gained}, "
                        f"where its twin {attack.twin} fails: {[twin.errors[c] for c in gained]}")


@pytest.mark.grading
@pytest.mark.parametrize("twin", [_param(s) for s in ALL if not s.attack
                                  and any(a.twin == s.student and a.assignment == s.assignment for a in CHECKED)])
def test_a_twin_is_an_honest_wrong_answer(twin, twin_results):
    """A twin loses points where its docstring says (so an attack 'no better than its twin' means
    something)."""
    result = twin_results(twin.assignment)[twin.student]
    assert not result.problems, f"{twin.student} ({twin.description}): {result.problems}; {result.errors}"
