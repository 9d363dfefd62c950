"""Issue 14: the adversarial catalogue (``tests/adversarial/<assignment>/``) gains nothing anywhere.

Every attack — reading what a hidden test computes (``test-values``), returning an object that fakes
a comparison (``fake-result``), patching a framework class a test relies on (``patch-class``) — is
paired with its honest wrong twin: the same wrong answer without the cheat. An attack must fail
every test cell its twin fails: it gains nothing by cheating.

* ``patch-class`` attacks run the way grading runs them
  (:func:`labkit.grading.fastcheck.run_guarded`: the sandboxed kernel, each test cell in its own
  scope, the integrity probes that catch a patched class), each in a fresh kernel, trimmed to the
  test cells the twin must fail.
* ``test-values`` and ``fake-result`` attacks change no shared state: they take the quick path
  with the grading scopes (:func:`labkit.grading.fastcheck.run_many`) in their assignment's quick
  kernel, after its catalogue entries (``%reset -f`` between entries): no kernel start and no
  framework import of their own.
* In CI the twins' verdicts are their declared ``expect_fail`` cells (the attack must fail all of
  them); ``LAB08_FULL_CATALOGUE=1`` also runs every twin, checks that it fails where it says, and
  compares the attack with the twin's measured verdicts.

part0's attacks are graded through the whole nbgrader pipeline in the red-team batch
(``tests/test_redteam.py``), next to the REDTEAM.md attacks.
"""
from __future__ import annotations

import pytest

from labkit.grading import fastcheck, samples
from labkit.grading.course import Course
from support import (ADVERSARIAL, ADVERSARIAL_BY_ID, CHECKED_ATTACKS, FAST_GROUP_OF, FULL_CATALOGUE,
                     GUARDED_ATTACKS, NBGRADER_ATTACKS, attack_entry, twin_failures)

ATTACKS = [s for s in ADVERSARIAL if s.attack]


def _param(spec):
    group = FAST_GROUP_OF.get((spec.assignment, spec.student), f"adversarial-{spec.assignment}")
    return pytest.param(spec, id=f"{spec.assignment}-{spec.student}", marks=pytest.mark.xdist_group(group))


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
    """``twin_results(assignment)`` -> {twin id: FastResult}, all the assignment's twins in one kernel
    (LAB08_FULL_CATALOGUE=1 only)."""
    cache: dict[str, dict] = {}

    def get(assignment):
        if assignment not in cache:
            twins = [s for s in ADVERSARIAL if s.assignment == assignment and not s.attack
                     and any(a.twin == s.student for a in CHECKED_ATTACKS if a.assignment == assignment)]
            cache[assignment] = {r.spec.student: r for r in fastcheck.run_many(Course(), twins)}
        return cache[assignment]

    return get


def test_the_adversarial_catalogue_is_complete():
    """Every assignment has at least one attack of each class, each with a twin that is a wrong answer."""
    problems = []
    for a in Course().assignments():
        classes = {s.attack for s in ATTACKS if s.assignment == a}
        if a not in NBGRADER_ATTACKS and set(samples.ATTACK_CLASSES) - classes:
            problems.append(f"{a}: no attack of class {sorted(set(samples.ATTACK_CLASSES) - classes)}")
    for s in ATTACKS:
        twin = ADVERSARIAL_BY_ID.get((s.assignment, s.twin))
        if twin is None or twin.attack or twin.expect_full or not twin.expect_fail:
            problems.append(f"{s.student}: twin {s.twin} is not an honest wrong entry of {s.assignment}")
    ids = [s.student for s in ADVERSARIAL] + [s.student for s in samples.catalogue()]
    problems += [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    assert not problems, problems


@pytest.mark.grading
@pytest.mark.parametrize("attack", [_param(s) for s in CHECKED_ATTACKS if s.assignment not in NBGRADER_ATTACKS])
def test_an_attack_never_beats_its_honest_twin(attack, adversarial_course, fast_checked, twin_results):
    if attack.attack in GUARDED_ATTACKS:
        result = fastcheck.run_guarded(adversarial_course(attack.assignment), attack, twin_failures(attack))
    else:
        result = fast_checked(attack_entry(attack))
    failing = twin_failures(attack)  # CI: the twin's declared verdicts
    if FULL_CATALOGUE:  # the twin's measured verdicts
        twin = twin_results(attack.assignment)[attack.twin]
        assert not twin.problems, f"the twin {attack.twin} does not fail where it says: {twin.problems}"
        failing = {cell for cell, err in twin.errors.items() if err is not None}
    missing = sorted(failing - set(result.errors))
    assert not missing, f"{attack.student}: the test cells {missing} did not run"
    gained = sorted(cell for cell in failing if result.errors[cell] is None)
    assert not gained, (f"{attack.student} ({attack.attack}: {attack.description}) passes {gained}, "
                        f"where its twin {attack.twin} fails")


@pytest.mark.grading
@pytest.mark.parametrize("twin", [_param(s) for s in ADVERSARIAL if FULL_CATALOGUE and not s.attack
                                  and any(a.twin == s.student and a.assignment == s.assignment
                                          for a in CHECKED_ATTACKS)])
def test_a_twin_is_an_honest_wrong_answer(twin, twin_results):
    """A twin loses points where its docstring says (so an attack 'no better than its twin' means
    something). LAB08_FULL_CATALOGUE=1 only: in CI an attack must fail every cell its twin declares."""
    result = twin_results(twin.assignment)[twin.student]
    assert not result.problems, f"{twin.student} ({twin.description}): {result.problems}; {result.errors}"
