"""The hidden-test design (labkit/testing.py's docstring, issue 14): values out of reach, plain values
only, watched framework classes, flags with consequences. Unit level; the red-team suite grades the
same attacks through nbgrader."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from labkit.grading import flags
from labkit.grading.run import integrity, scope
from labkit.testing import assert_close, check_shape, check_type, outputs_by_name, plain


# --- plain values ---------------------------------------------------------------------------------

class _EvilTensor(torch.Tensor):
    def __sub__(self, other):
        return torch.zeros_like(other)

    def numpy(self, *a, **k):
        return _Anything()


class _Anything:
    shape = property(lambda self: (2, 3))

    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return np.zeros(3)

    def __array__(self, *a, **k):
        return np.zeros(3)

    def __array_ufunc__(self, *a, **k):
        return True


def test_plain_converts_tensors_and_containers_to_exact_values():
    out = plain({"a": [torch.ones(2), np.float32(1.5)], "b": (1, "x")})
    assert type(out["a"][0]) is np.ndarray and out["a"][1] == 1.5 and out["b"] == (1, "x")
    assert plain(torch.ones(2, dtype=torch.bfloat16)).dtype == np.float32


@pytest.mark.parametrize("obj", [torch.ones(3).as_subclass(_EvilTensor), _Anything(), np.array([_Anything(), 1], dtype=object),
                                 [1, _Anything()], {"k": _Anything()}])
def test_objects_with_their_own_arithmetic_are_refused(obj):
    with pytest.raises(AssertionError, match="valor simple|números"):
        plain(obj, "el resultado")


def test_a_faked_comparison_fails_every_helper():
    fake = torch.ones(3).as_subclass(_EvilTensor)
    with pytest.raises(AssertionError):
        assert_close(fake, [5.0, 5.0, 5.0])
    with pytest.raises(AssertionError):
        check_shape(_Anything(), (2, 3), "x")
    with pytest.raises(AssertionError, match="subclase"):
        check_type(fake, torch.Tensor, "x")
    check_type(torch.nn.Parameter(torch.ones(1)), torch.Tensor, "x")  # the real types still pass
    check_type(torch.nn.Linear(1, 1), torch.nn.Module, "a student's module type")


def test_outputs_by_name_reads_lists_tuples_and_dicts():
    class M:
        output_names = ["digit", "parity"]

    a, b = np.ones((2, 10)), np.zeros((2, 2))
    for pred in ([a, b], (a, b), {"parity": b, "digit": a}):
        out = outputs_by_name(M(), pred)
        assert set(out) == {"digit", "parity"} and out["digit"].shape == (2, 10)


# --- values out of reach --------------------------------------------------------------------------

def _run_cells(cells: list[str]) -> dict:
    ns: dict = {}
    for i, src in enumerate(cells):
        exec(compile(src, f"<cell {i}>", "exec"), ns)
    return ns


def test_a_wrapped_test_keeps_its_values_out_of_the_notebook_namespace():
    student = "def answer(x):\n    return globals().get('expected', 'no lo veo')\n"
    test = "expected = 42\nfound = answer(1)\nassert found == 'no lo veo', found\nshared = 7\n"
    later = "print(shared)\n"
    loads = scope.later_loads_by_cell([student, test, later])
    wrapped = scope.wrap(test, loads[1])
    ns = _run_cells([student, wrapped])
    assert "expected" not in ns and ns["shared"] == 7  # only what a later cell reads is exported
    assert scope.FUNCTION not in ns


def test_wrapping_keeps_semantics_of_read_then_write_and_closures():
    src = 'x = x + 1\nnet = {"w": 2}\nf = lambda: net["w"]\ntext = """a:\n  b: 1\n"""\nassert f() == 2\n'
    ns = _run_cells(["x = 1\n", scope.wrap(src, set())])
    assert ns["x"] == 2 and "net" not in ns
    assert scope.wrap("%time x = 1", set()) == "%time x = 1"  # IPython syntax runs as written


def test_reaching_into_a_running_test_is_seen(monkeypatch):
    monkeypatch.setattr(integrity, "_state", {})
    integrity.snapshot()
    ns: dict = {}
    exec(compile("import sys\ndef answer():\n    return sys._getframe(1).f_locals.get('expected')\n"
                 "def honest():\n    from collections import namedtuple\n    return namedtuple('P', 'a')(1)\n",
                 "/tmp/ipykernel_0/student.py", "exec"), ns)
    exec(compile(f"def {scope.FUNCTION}():\n    expected = 42\n    honest()\n    return answer()\n",
                 "/tmp/ipykernel_0/test.py", "exec"), ns)
    assert ns[scope.FUNCTION]() == 42
    assert any("datos internos" in c for c in integrity.changes())
    ns[scope.FUNCTION].__globals__["answer"] = ns["honest"]
    ns[scope.FUNCTION]()
    assert not [c for c in integrity.changes() if "datos internos" in c]  # a library's own look is fine


def test_patching_a_framework_class_is_seen(monkeypatch):
    monkeypatch.setattr(integrity, "_state", {})
    integrity.snapshot()
    assert integrity._class_changes(integrity._state["classes"]) == []
    ns: dict = {}
    exec(compile("def fake(self, other):\n    return self\n", "/tmp/ipykernel_0/cell.py", "exec"), ns)
    monkeypatch.setattr(torch.Tensor, "__sub__", ns["fake"])
    assert any("Tensor.__sub__" in c for c in integrity._class_changes(integrity._state["classes"]))


# --- flags with consequences ------------------------------------------------------------------------

def test_a_flagged_submission_is_under_review_until_it_is_regraded_clean(tmp_path):
    flags.append_flags(tmp_path, [flags.Flag("a", "s1", "integrity", "tampering", "x"),
                                  flags.Flag("a", "s2", "sandbox", "isolation", "not sandboxed"),
                                  flags.Flag("a", "s3", "intake", "edited-locked-cell", "x")])
    review = flags.under_review(tmp_path)
    assert list(review) == [("a", "s1")] and "pendiente de revisión" in flags.review_note(review[("a", "s1")])
    flags.clear_run_flags(tmp_path, "a", "s1")
    assert flags.under_review(tmp_path) == {}
    kept = [json.loads(line)["student"] for line in flags.flags_path(tmp_path).read_text().splitlines()]
    assert kept == ["s2", "s3"]


def test_values_a_loop_binds_before_calling_the_student_stay_local():
    """A name assigned and read inside one loop is a local of the test (a student's function called in
    the loop cannot read it); a name read before any assignment (``x = f(x)``, ``n += 1``) stays global."""
    src = ("for seed in range(2):\n    expected = reference(seed)\n    found = answer(seed)\n"
           "x = f(x)\nn += 1\n")
    wrapped = scope.wrap(src, set())
    first = wrapped.splitlines()[1].strip()
    assert first.startswith("global ") and set(first[len("global "):].split(", ")) == {"x", "n"}, wrapped
