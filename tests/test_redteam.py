"""Red team: hostile and broken submissions (one per row of ../shared/REDTEAM.md and per attack of
issue 7). Each is graded through the real pipeline, in one batch with two parallel workers next to
two reference submissions, and each test asserts the defence: no points gained, nobody else
affected, the batch completes, the reason is reported.

Every attack is a part0_numpy_bridge submission (the cheapest notebook). Most start from the blank
release, so that any point they score would be a point gained by the attack; a few start from the
reference (to show the tests that ran before a crash keep their points).
"""
from __future__ import annotations

import os
import socket
import subprocess
import threading
import time

import nbformat
import pytest

from labkit.grading import flags, samples
from labkit.grading.course import GradingError
from labkit.grading.record import gradebook
from labkit.grading.report.scores import export_csv, format_table, read_csv
from labkit.grading.run.grade import grade
from labkit.grading.run.sandbox import isolation_level
from support import make_scratch_course

A = "part0_numpy_bridge"
MAX = 15.0
MARK = "LAB08_REDTEAM_DETACHED"

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("redteam")]

needs_sandbox = pytest.mark.skipif(
    isolation_level() != "bwrap" and os.environ.get("LAB08_REQUIRE_SANDBOX") != "1",
    reason="bubblewrap is not usable here (install the Debian package `bubblewrap`)")


def test_the_sandbox_is_available_where_required():
    """CI installs bubblewrap and sets LAB08_REQUIRE_SANDBOX=1: there the sandbox must work."""
    if os.environ.get("LAB08_REQUIRE_SANDBOX") == "1":
        assert isolation_level() == "bwrap"


# --- the attacks: student id -> (start from, {answer grade_id: code appended or replacing}) --------

AST_TRANSFORMER = '''
import ast
class _SkipTests(ast.NodeTransformer):
    def visit_Module(self, node):
        first = node.body[0] if node.body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \\
                and str(first.value.value).startswith("Comprueba"):
            node.body = [ast.Pass()]
        return node
get_ipython().ast_transformers.append(_SkipTests())
'''
INPUT_TRANSFORMER = '''
def _blank_tests(lines):
    return [] if lines and lines[0].lstrip().startswith('"""Comprueba') else lines
get_ipython().input_transformers_post.append(_blank_tests)
'''
EVENT_HOOK = '''
def _hide_errors(info):
    get_ipython().set_custom_exc((BaseException,), lambda shell, etype, value, tb, tb_offset=None: None)
get_ipython().events.register("pre_run_cell", _hide_errors)
'''
SETTRACE = '''
import sys
def _tracer(frame, event, arg):
    return None
sys.settrace(_tracer)
'''
PATCH_LIBS = '''
import numpy as np, torch, time
import labkit.testing
np.allclose = lambda *a, **k: True
torch.allclose = lambda *a, **k: True
time.perf_counter = lambda: 0.0
labkit.testing.check = lambda *a, **k: None
labkit.testing.assert_close = lambda *a, **k: None
'''
SHADOW_HELPERS = '''
check = lambda *a, **k: None
check_type = lambda *a, **k: None
check_shape = lambda *a, **k: None
assert_close = lambda *a, **k: None
def isinstance(obj, types):
    return True
'''
ALWAYS_EQUAL = '''
class Anything:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __bool__(self): return True
    def __getattr__(self, name): return Anything()
    def __call__(self, *args, **kwargs): return Anything()
    def __array__(self, *args, **kwargs):
        import numpy as np
        return np.zeros(3)
def to_torch(x): return Anything()
def to_numpy(t): return Anything()
'''
SHADOW_ASSERTION = '''
class AssertionError(Exception):
    pass
import builtins
builtins.AssertionError = AssertionError
'''
NBGRADER_ENV = '''
import os
print("NBGRADER_EXECUTION =", os.environ.get("NBGRADER_EXECUTION"))
print(f"torch threads = {torch.get_num_threads()}/{torch.get_num_interop_threads()}",
      "TF intra/inter =", os.environ.get("TF_NUM_INTRAOP_THREADS"), os.environ.get("TF_NUM_INTEROP_THREADS"))
'''
DETACHED = f'''
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)  # {MARK}"], start_new_session=True)
'''
OS_EXIT = '''
import os
os._exit(1)
'''
SEGFAULT = '''
import ctypes
ctypes.string_at(0)
'''
SYS_EXIT = '''
import sys
sys.exit(3)
'''
# The endless loops sleep instead of spinning: the defence is the clock (cell timeout, interrupt, then
# kill), which a sleeping loop meets exactly like a busy one, and a busy one would take one of CI's two
# cores from the other gradings for the minute it lasts.
ENDLESS = '''
import time
while True:
    time.sleep(0.05)
'''
ENDLESS_NO_SIGINT = '''
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    time.sleep(0.05)
'''
FORK_BOMB = '''
import os, time
children = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
        children += 1
except OSError as err:
    print("límite de procesos tras", children, "hijos:", err)
'''
HUGE_ALLOCATION = '''
import numpy as np
try:
    hog = np.ones(10**11)
except MemoryError as err:
    print("MemoryError:", err)
'''
FILL_DISK = '''
chunk = b"x" * (1 << 20)
written = 0
try:
    with open("relleno.bin", "wb") as fh:
        while written < (8 << 30):
            fh.write(chunk)
            written += 1
except OSError as err:
    print("disco lleno tras", written, "MB:", err)
'''


def _read_secrets(root) -> str:
    return f'''
import glob, os
found = []
for pattern in ["../../source/*/*.ipynb", "../../../source/*/*.ipynb", "{root}/source/*/*.ipynb",
                "/work/*/source/*/*.ipynb", "{root}/gradebook.db"]:
    for path in glob.glob(pattern):
        try:
            with open(path, "rb") as fh:
                found.append(fh.read())
        except OSError:
            pass
print("FUGA" if any(b"BEGIN HIDDEN TESTS" in t or b"SQLite" in t for t in found) else "nada encontrado", len(found))
'''


def _write_gradebook(root) -> str:
    return f'''
import sqlite3
for sql in ["UPDATE grade SET manual_score = 100", "UPDATE source_cell SET source = 'pass'",
            "UPDATE grade_cell SET max_score = 100"]:
    try:
        db = sqlite3.connect("{root}/gradebook.db")
        db.execute(sql)
        db.commit()
        print("escrito:", sql)
    except Exception as err:
        print("no se pudo escribir:", type(err).__name__)
try:
    with open("{root}/gradebook.db", "ab") as fh:
        fh.write(b"basura")
except OSError as err:
    print("no se pudo escribir:", type(err).__name__)
'''


def _network(port) -> str:
    return f'''
import socket
try:
    with socket.create_connection(("127.0.0.1", {port}), timeout=3) as s:
        s.sendall(b"EXFILTRADO")
    print("conectado")
except OSError as err:
    print("sin red:", type(err).__name__)
'''


# --- issue 14: hidden tests that student code can neither read nor fool -----------------------------
# part0's attacks and their honest wrong twins live in tests/adversarial/part0_numpy_bridge/ (the
# other assignments' are checked by tests/test_adversarial.py); they are graded here, through the
# whole pipeline. An attack never scores more than its twin, in any test cell.
ADVERSARIAL = samples.adversarial([A])


def attacks(root, port) -> dict[str, tuple[str, dict[str, str]]]:
    return {
        # issue 14: part0's adversarial catalogue (tests/adversarial/part0_numpy_bridge/)
        **{spec.student: ("reference", spec.cells) for spec in ADVERSARIAL},
        "rt_ast_transformer": ("blank", {"convert": AST_TRANSFORMER}),
        "rt_input_transformer": ("blank", {"convert": INPUT_TRANSFORMER}),
        "rt_event_hook": ("blank", {"convert": EVENT_HOOK}),
        "rt_settrace": ("blank", {"convert": SETTRACE}),
        "rt_patch_libraries": ("blank", {"convert": PATCH_LIBS}),
        "rt_shadow_helpers": ("blank", {"convert": SHADOW_HELPERS}),
        "rt_always_equal": ("blank", {"convert": ALWAYS_EQUAL}),
        "rt_shadow_assertion": ("blank", {"convert": SHADOW_ASSERTION}),
        "rt_read_source": ("blank", {"convert": _read_secrets(root)}),
        "rt_write_gradebook": ("blank", {"convert": _write_gradebook(root)}),
        "rt_detached_process": ("blank", {"convert": DETACHED}),
        "rt_os_exit": ("reference", {"activations": OS_EXIT}),
        "rt_segfault": ("reference", {"activations": SEGFAULT}),
        "rt_sys_exit": ("reference", {"activations": SYS_EXIT}),
        "rt_endless_loop": ("reference", {"activations": ENDLESS}),
        "rt_endless_no_sigint": ("reference", {"activations": ENDLESS_NO_SIGINT}),
        "rt_fork_bomb": ("reference", {"activations": FORK_BOMB}),
        "rt_huge_allocation": ("reference", {"activations": HUGE_ALLOCATION}),
        "rt_fill_disk": ("reference", {"activations": FILL_DISK}),
        "rt_network": ("blank", {"convert": _network(port)}),
        "rt_nbgrader_env": ("blank", {"convert": NBGRADER_ENV}),
        "rt_planted_numpy": ("reference", {}),
    }


class _Listener:
    """A TCP server on the grader's loopback: a sandboxed kernel must not reach it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.received = b""
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.received += conn.recv(100)


def _build(course, student, start, cells):
    nb = samples.reference_notebook(course, A) if start == "reference" else samples.blank_notebook(course, A)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in cells:
            cell.source = cells[gid] if start == "blank" else cells[gid]
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if isolation_level() != "bwrap" and os.environ.get("LAB08_REQUIRE_SANDBOX") != "1":
        pytest.skip("bubblewrap is not usable here")
    saved = {k: os.environ.get(k) for k in ("LAB08_CELL_TIMEOUT", "LAB08_NOTEBOOK_TIMEOUT")}
    os.environ.update({"LAB08_CELL_TIMEOUT": "20", "LAB08_NOTEBOOK_TIMEOUT": "180"})
    listener = _Listener()
    try:
        course = make_scratch_course(tmp_path_factory.mktemp("redteam"), [A])
        table = attacks(course.root, listener.port)
        pairs = [(A, "reference_a")]
        samples.write_submission(course, "reference_a", A, samples.reference_notebook(course, A))
        for student, (start, cells) in table.items():
            samples.write_submission(course, student, A, _build(course, student, start, cells))
            pairs.append((A, student))
        (course.submitted / "rt_planted_numpy" / A / "numpy.py").write_text(
            'print("PLANTADO")\nraise ImportError("numpy plantado")\n')
        samples.write_submission(course, "reference_z", A, samples.reference_notebook(course, A))
        pairs.append((A, "reference_z"))
        started = time.perf_counter()
        results = {r.student: r for r in grade(course, pairs, feedback=False, timeout=400,
                                               echo=lambda _: None, jobs=2)}
        seconds = time.perf_counter() - started
        scores = {s.student: s for s in gradebook.scores(course)}
        found: dict[str, list[flags.Flag]] = {}
        for flag in flags.read_flags(course.root):
            found.setdefault(flag.student, []).append(flag)
        yield {"course": course, "results": results, "scores": scores, "flags": found,
               "listener": listener, "seconds": seconds}
    finally:
        listener.sock.close()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _score(graded, student) -> float:
    result = graded["results"][student]
    assert result.ok, f"{student} was not graded: {result.message}\n{result.log[-2000:]}"
    return graded["scores"][student].code_score


def _outputs(graded, student) -> str:
    nb = nbformat.read(graded["course"].notebook("autograded", A, student), as_version=4)
    return "\n".join(str(o.get("text", "")) + str(o.get("evalue", "")) for c in nb.cells for o in c.get("outputs", []))


def _kinds(graded, student) -> set[str]:
    return {f.kind for f in graded["flags"].get(student, [])}


def test_the_batch_completes_and_references_keep_full_marks(graded):
    """Two references, graded before and after the attacks, next to them in parallel."""
    assert set(graded["results"]) == {"reference_a", "reference_z", *attacks("/x", 1)}
    for student in ("reference_a", "reference_z"):
        assert _score(graded, student) == MAX, graded["flags"].get(student)
        assert not graded["flags"].get(student), graded["flags"].get(student)


@pytest.mark.parametrize("student", ["rt_ast_transformer", "rt_input_transformer", "rt_event_hook",
                                     "rt_settrace", "rt_patch_libraries", "rt_shadow_helpers"])
def test_kernel_tampering_gains_nothing_and_is_flagged(graded, student):
    """REDTEAM #3-6, #19: hooks that rewrite or hide the tests, and monkeypatched test helpers."""
    assert _score(graded, student) == 0.0
    assert "tampering" in _kinds(graded, student), graded["flags"].get(student)
    assert "suspicious-code" in _kinds(graded, student)


ISSUE14 = [(spec.student, spec.twin) for spec in ADVERSARIAL if spec.attack]


@pytest.mark.parametrize("attack, twin", ISSUE14)
def test_an_attack_on_the_hidden_tests_never_beats_its_honest_twin(graded, attack, twin):
    """Issue 14: reading the test's values (globals, frames), a result that fakes a comparison, a
    patched framework class — none scores more than the same wrong answer without the cheat, in any
    test cell."""
    assert _score(graded, twin) < MAX  # the twin really is wrong
    assert _score(graded, attack) <= _score(graded, twin)
    cells_a, cells_t = graded["scores"][attack].cells, graded["scores"][twin].cells
    gained = {c: (cells_a[c], cells_t[c]) for c in cells_t if cells_a[c][0] > cells_t[c][0]}
    assert not gained, gained


@pytest.mark.parametrize("attack", ["adv_p0_reads_test_frames", "adv_p0_patch_parameter_class"])
def test_a_runtime_attack_is_caught_by_the_probe_and_put_under_review(graded, attack):
    assert "tampering" in _kinds(graded, attack), graded["flags"].get(attack)
    review = flags.under_review(graded["course"].root)
    assert (A, attack) in review
    assert (A, "reference_a") not in review and (A, "twin_p0_zero_grads") not in review


def test_the_csv_and_the_score_table_say_pendiente_de_revision(graded):
    course = graded["course"]
    rows = {r["student_id"]: r for r in read_csv(export_csv(course, course.root / "g.csv"))}
    assert rows["adv_p0_patch_parameter_class"]["review"].startswith("pendiente de revisión")
    assert rows["reference_a"]["review"] == ""
    table = format_table(gradebook.scores(course), review=flags.under_review(course.root))
    line = next(l for l in table.splitlines() if " adv_p0_patch_parameter_class " in l)
    assert "REVIEW" in line


def test_an_object_equal_to_everything_gains_nothing(graded):
    """REDTEAM #6: the tests check exact types before comparing."""
    assert _score(graded, "rt_always_equal") == 0.0


def test_shadowing_assertion_error_gains_nothing(graded):
    """REDTEAM #7."""
    assert _score(graded, "rt_shadow_assertion") == 0.0


@needs_sandbox
def test_the_kernel_cannot_read_source_or_the_gradebook(graded):
    """REDTEAM #8: solutions and hidden tests are out of the kernel's sight."""
    out = _outputs(graded, "rt_read_source")
    assert "nada encontrado 0" in out and "FUGA" not in out, out
    assert _score(graded, "rt_read_source") == 0.0


@needs_sandbox
def test_the_kernel_cannot_write_the_gradebook(graded):
    """REDTEAM #9-10: extra credit or rewritten tests in gradebook.db."""
    out = _outputs(graded, "rt_write_gradebook")
    assert "escrito" not in out, out
    assert _score(graded, "rt_write_gradebook") == 0.0
    for s in graded["scores"].values():
        assert s.code_score <= s.max_code_score and s.max_code_score == MAX


def test_a_rewritten_gradebook_is_refused_before_grading(tmp_path):
    """REDTEAM #10 without a sandbox: a gradebook whose stored tests no longer match source/ is
    detected before anyone is graded."""
    import sqlite3

    course = make_scratch_course(tmp_path / "course", [A])
    samples.write_submission(course, "blank", A, samples.blank_notebook(course, A))
    db = sqlite3.connect(course.root / "gradebook.db")
    db.execute("UPDATE source_cell SET source = 'pass' WHERE name = 'convert_to_torch'")
    db.commit()
    db.close()
    with pytest.raises(GradingError, match="convert_to_torch"):
        grade(course, [(A, "blank")], feedback=False, echo=lambda _: None)


@needs_sandbox
def test_detached_processes_die_with_the_kernel(graded):
    """REDTEAM #11: a setsid'd child cannot outlive the grading of its notebook."""
    assert _score(graded, "rt_detached_process") == 0.0
    alive = subprocess.run(["pgrep", "-f", MARK], capture_output=True, text=True).stdout.split()
    assert not alive, f"processes left behind: {alive}"


@pytest.mark.parametrize("student,reason", [("rt_os_exit", "murió"), ("rt_segfault", "murió"),
                                            ("rt_endless_no_sigint", "dejó de responder")])
def test_a_dead_or_stuck_kernel_is_recorded_and_what_ran_keeps_its_points(graded, student, reason):
    """REDTEAM #14-15: the tests before the crash keep their points (convert: 2), the rest get 0
    with the reason, and the grading goes on."""
    score = _score(graded, student)
    assert score == 2.0, score
    messages = " ".join(f.mensaje for f in graded["flags"].get(student, []))
    assert reason in messages, graded["flags"].get(student)
    assert "no se pudo ejecutar" in _outputs(graded, student)


@pytest.mark.parametrize("student", ["rt_sys_exit", "rt_endless_loop"])
def test_sys_exit_and_an_interruptible_loop_only_cost_their_own_cell(graded, student):
    """``sys.exit`` is an ordinary error in IPython; an endless loop is interrupted at the cell
    timeout. The activations tests fail (their answer never defined the functions), the rest of
    the notebook runs: 15 - 3 activation points (4 tests) ... at most 12."""
    score = _score(graded, student)
    assert 2.0 <= score <= 12.0, score


@needs_sandbox
@pytest.mark.parametrize("student", ["rt_fork_bomb", "rt_huge_allocation", "rt_fill_disk"])
def test_resource_exhaustion_is_contained(graded, student):
    """REDTEAM #16: process, memory and disk limits; the others are graded normally."""
    score = _score(graded, student)
    assert score <= 12.0
    out = _outputs(graded, student)
    hints = {"rt_fork_bomb": "límite de procesos", "rt_huge_allocation": "MemoryError",
             "rt_fill_disk": "disco lleno"}
    assert hints[student] in out, out[-2000:]
    assert not (graded["course"].root / "autograded" / student / A / "relleno.bin").exists()


@needs_sandbox
def test_no_network_for_student_code(graded):
    """REDTEAM #17."""
    assert "sin red" in _outputs(graded, "rt_network")
    assert graded["listener"].received == b""


def test_the_grading_environment_is_clean(graded):
    """REDTEAM #18: the kernel does not see NBGRADER_EXECUTION."""
    assert "NBGRADER_EXECUTION = None" in _outputs(graded, "rt_nbgrader_env")


def test_a_grading_kernel_uses_only_its_share_of_the_cores(graded):
    """Issue 19: two workers on C cores give each kernel C // 2 threads (PyTorch intra- and
    inter-op, TensorFlow), so that parallel grading never oversubscribes the CPU."""
    from labkit import threads

    n = threads.share(2)
    out = _outputs(graded, "rt_nbgrader_env")
    assert f"torch threads = {n}/{n}" in out, out
    assert f"TF intra/inter = {n} {n}" in out, out


def test_a_planted_module_does_not_shadow_the_real_one(graded):
    """REDTEAM #20: numpy.py next to the notebook is never imported."""
    assert _score(graded, "rt_planted_numpy") == MAX
    assert "PLANTADO" not in _outputs(graded, "rt_planted_numpy")
    extra = graded["course"].autograded / "rt_planted_numpy" / A / "numpy.py"
    assert not extra.exists(), "formgrader would serve a student's extra file from autograded/"
