"""The grading contract: reference = full marks, blank = 0, each wrong submission loses points."""
from __future__ import annotations

import pytest

from support import FAST_GROUP_OF, FAST_SPECS, GROUP_OF, SAMPLES
from labkit.grading import samples
from labkit.grading.course import Course

SPECS = {(s.assignment, s.student): s for s in samples.catalogue()}


def _param(pair):
    return pytest.param(pair, id=f"{pair[0]}-{pair[1]}", marks=pytest.mark.xdist_group(GROUP_OF[pair]))


@pytest.mark.grading
@pytest.mark.parametrize("pair", [_param(p) for p in SAMPLES])
def test_sample_submission_score(pair, graded):
    result, score = graded(pair)
    assignment, student = pair
    assert result.ok, f"{assignment}/{student} could not be graded: {result.message}\n{result.log[-3000:]}"
    assert score is not None and score.max_code_score > 0
    problems = samples.verdict(student, score, SPECS.get(pair))
    assert not problems, f"{assignment}/{student}: " + "; ".join(problems)
    if student == "reference":
        noisy = samples.stderr_cells(graded.course_of(pair).notebook("autograded", assignment, student))
        assert not noisy, f"{assignment}: the reference solution writes to stderr in cells {noisy}"
        import nbformat

        nb = nbformat.read(graded.course_of(pair).notebook("autograded", assignment, student), as_version=4)
        errors = [(i, o.get("ename"), str(o.get("evalue"))[:120]) for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{assignment}: cells of the graded reference raised {errors}"
    from labkit.grading import flags

    kinds = {f.kind for f in flags.read_flags(graded.course_of(pair).root) if (f.assignment, f.student) == pair}
    if graded.sandbox_of(pair) == "off":  # graded as a machine without bubblewrap would
        assert "isolation" in kinds, kinds
    if student in ("reference", "blank"):  # no false alarm on the course's own notebooks
        assert not kinds - {"isolation"}, kinds



def _fast_param(spec):
    return pytest.param(spec, id=f"{spec.assignment}-{spec.student}",
                        marks=pytest.mark.xdist_group(FAST_GROUP_OF[(spec.assignment, spec.student)]))


@pytest.mark.grading
@pytest.mark.parametrize("spec", [_fast_param(s) for s in FAST_SPECS])
def test_catalogue_entry_fails_where_declared(spec, fast_checked):
    """The rest of the catalogue, by the quick path: the source notebook with the entry's answers,
    executed up to its last expected failure; a correct alternative runs every test and passes them
    all (see labkit.grading.fastcheck)."""
    result = fast_checked(spec)
    assert not result.problems, f"{spec.student} ({spec.description}): {result.problems}; {result.errors}"


@pytest.mark.parametrize("assignment", Course().assignments())
def test_test_cells_define_nothing_later_cells_use(assignment):
    """The quick path skips test cells it does not need; that is only safe if they are leaves."""
    import nbformat

    from labkit.grading import fastcheck

    nb = nbformat.read(Course().notebook("source", assignment), as_version=4)
    assert not fastcheck.test_cell_problems(nb)
    assert not fastcheck.demo_cell_problems(nb)


def test_a_demo_cell_that_defines_what_later_cells_read_is_refused():
    """The quick path skips cells tagged `demo`; tagging one whose names a later cell reads, or a
    graded cell, must be caught (else skipping it would change later verdicts)."""
    import nbformat

    from labkit.grading import fastcheck

    nb = nbformat.read(Course().notebook("source", "part2_keras"), as_version=4)
    data = next(c for c in nb.cells if c.cell_type == "code" and "= binary_classification()" in c.source)
    data.metadata["tags"] = ["demo"]
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    test.metadata["tags"] = ["demo"]
    problems = " | ".join(fastcheck.demo_cell_problems(nb))
    assert "Xb_train" in problems and "graded or answer cell" in problems, problems
    assert sum(fastcheck._is_demo(c) for c in nb.cells) >= 4  # the tagged demos of part2 are there


@pytest.mark.xdist_group("grading-0")
def test_xdist_keeps_a_grading_group_on_one_worker(request):
    """With `-n 2 --dist loadgroup` the group suffix must be in the node id (else every batch is
    graded once per worker, doubling CI time: pytest 9 + xdist 3.8 lose it silently)."""
    if getattr(request.config.option, "loadgroup", False):  # set on xdist workers
        assert request.node.nodeid.endswith("@grading-0"), request.node.nodeid


def test_catalogue_covers_every_answer_cell():
    """At least one wrong submission per answer cell of every assignment with a source notebook."""
    import nbformat

    from labkit.grading.course import Course

    course = Course()
    for a in course.assignments():
        nb = nbformat.read(course.notebook("source", a), as_version=4)
        answers = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                   if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
        covered = {cell for s in SPECS.values() if s.assignment == a and not s.expect_full
                   for cell in s.cells}
        assert answers <= covered, f"{a}: no wrong submission for {sorted(answers - covered)}"


def test_catalogue_student_ids_are_unique():
    names = [s.student for s in SPECS.values()]
    assert len(names) == len(set(names))
    assert not {"reference", "blank"} & set(names)


def test_catalogue_has_a_right_answer_for_every_answer_cell():
    """Issue 18: every answer cell of every assignment has at least one correct alternative
    (`expect: full`), written another way than the reference, that must keep full marks."""
    import nbformat

    course = Course()
    missing = {}
    for a in course.assignments():
        nb = nbformat.read(course.notebook("source", a), as_version=4)
        answers = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                   if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
        covered = {cell for s in SPECS.values() if s.assignment == a and s.expect_full for cell in s.cells}
        if answers - covered:
            missing[a] = sorted(answers - covered)
    assert not missing, f"no correct alternative for {missing}"


def test_correct_alternatives_raise_no_static_flag():
    """A right answer is never put under review: the grader's static scan finds nothing in any
    correct alternative of the catalogue (the references are checked by grading, above)."""
    from labkit.grading.run import integrity

    found = {(s.assignment, s.student, cell): integrity.scan_source(code)
             for s in SPECS.values() if s.expect_full for cell, code in s.cells.items()}
    assert not {k: v for k, v in found.items() if v}
