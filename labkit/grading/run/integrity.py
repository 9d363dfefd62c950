"""Tamper checks for student code that shares the kernel with the tests.

nbgrader runs the hidden tests in the student's own kernel, so code in an answer cell can change
how the tests behave without touching their text: an IPython AST or input transformer that drops
every check, an event hook, a custom exception handler, ``sys.settrace``, or a monkeypatched
``numpy.allclose`` / ``torch.allclose`` / ``time.perf_counter`` / ``labkit.testing.check``. Two
layers catch this:

* :func:`scan_source` (run by the grader, outside the kernel) flags code that reaches for those
  hooks or for the usual ways to hide such a reach (``exec``, ``__import__``, ``ctypes``, ...);
* :func:`snapshot` runs in the kernel before any student cell and records the identity of every
  hook and of the functions the tests rely on; :func:`probe` runs after each test cell and lists
  what changed. The grader calls it through ``user_expressions``, which IPython evaluates with a
  plain ``eval`` — no input or AST transformer applies — and a test cell whose probe does not come
  back clean gets 0 points with the reason (see ``labkit.grading.run.execute``).

Nothing in this module imports a framework; the kernel side uses only the standard library.
"""
from __future__ import annotations

import ast
import json
import sys

# modules whose public functions the tests rely on; checked when loaded (snapshot or first probe)
WATCHED_MODULES = ["builtins", "time", "math", "random", "copy", "json", "numpy", "numpy.testing",
                   "torch", "torch.testing", "torch.nn.functional", "tensorflow", "keras", "labkit",
                   "torch.nn", "labkit.testing", "labkit.testing_torch", "labkit.testing_tf", "labkit.devices",
                   "labkit.data", "labkit.bridge", "labkit.pretrained", "labkit.grading.run.integrity"]
# framework classes whose methods and properties the tests rely on (a patched ``torch.Tensor.__sub__``
# or ``keras.Model.predict`` would fake a comparison): every class of their MRO is watched
WATCHED_CLASSES = [("torch", "Tensor"), ("torch.nn", "Module"), ("torch.nn", "Parameter"),
                   ("numpy", "ndarray"), ("tensorflow", "Tensor"), ("tensorflow", "Variable"),
                   ("tensorflow.python.framework.ops", "EagerTensor"), ("keras", "Model"), ("keras", "Layer"),
                   ("keras", "Sequential"), ("keras", "Variable"),
                   # what the hidden tests train and measure with (issue 14: a patched Adam.step or
                   # BatchNormalization.call would fake a training run)
                   ("torch.optim", "Adam"), ("torch.optim", "SGD"), ("torch.optim.lr_scheduler", "LRScheduler"),
                   ("torch.nn", "BatchNorm1d"), ("torch.nn", "Dropout"), ("torch.nn", "Linear"),
                   ("torch.utils.data", "DataLoader"), ("keras.layers", "Dense"), ("keras.layers", "Dropout"),
                   ("keras.layers", "BatchNormalization"), ("keras.layers", "Add"), ("keras.layers", "Concatenate"),
                   ("keras.optimizers", "Adam"), ("keras.optimizers", "SGD"), ("keras.metrics", "Mean"),
                   ("keras.metrics", "SparseCategoricalAccuracy"), ("keras.callbacks", "History")]
# the course's test helpers: every class they define is watched too (a spy whose method notebook code
# replaced would report what the notebook wants)
HELPER_CLASS_MODULES = ["labkit.testing", "labkit.testing_torch", "labkit.testing_tf", "labkit.devices"]
# IPython hooks that can rewrite or hide what a cell does
_SHELL_LISTS = ["ast_transformers", "input_transformers_post"]
_MANAGER_LISTS = ["cleanup_transforms", "line_transforms", "token_transformers"]
_SHELL_ATTRS = ["displayhook", "display_pub", "display_formatter", "custom_exceptions", "CustomTB",
                "InteractiveTB", "SyntaxTB", "compile", "input_transformer_manager", "events",
                "user_module"]

_state: dict = {}
_BUILTIN_TYPES = {"builtin_function_or_method", "method-wrapper", "wrapper_descriptor", "method_descriptor",
                  "classmethod_descriptor", "getset_descriptor", "member_descriptor", "ufunc",
                  "cython_function_or_method", "fused_cython_function", "NoneType", "_ArrayFunctionDispatcher"}


def _trusted_prefixes() -> tuple[str, ...]:
    import os

    here = os.path.abspath(__file__)  # <parent>/labkit/grading/run/integrity.py
    for _ in range(4):
        here = os.path.dirname(here)  # ... up to the labkit package's parent
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.join(here, "labkit")}
    return tuple(os.path.realpath(p) + os.sep for p in prefixes)


def _origin(obj) -> str:
    """The file an object's code comes from ("<builtin>" for C code, "<notebook>" for cell code)."""
    import functools

    for _ in range(5):
        if isinstance(obj, property):  # a property's code is its getter (or setter)
            obj = obj.fget or obj.fset or obj.fdel
        elif isinstance(obj, functools.partial):
            obj = obj.func
        elif hasattr(obj, "__func__"):
            obj = obj.__func__
        else:
            break
    code = getattr(obj, "__code__", None)
    if code is not None:
        return code.co_filename
    if type(obj).__name__ in _BUILTIN_TYPES or obj is None or isinstance(obj, (int, float, str, bool, tuple)):
        return "<builtin>"
    klass = obj if isinstance(obj, type) else type(obj)
    if klass.__module__ in ("builtins", None):
        return "<builtin>"
    mod = sys.modules.get(klass.__module__)
    if klass.__module__ == "__main__" or mod is None:
        return "<notebook>"
    return getattr(mod, "__file__", None) or "<builtin>"


def _trusted(obj) -> bool:
    import os

    where = _origin(obj)
    return where == "<builtin>" or os.path.realpath(where).startswith(_trusted_prefixes())


def _callables(mod) -> dict[str, object]:
    try:
        items = list(vars(mod).items())
    except TypeError:
        return {}
    return {k: v for k, v in items if not k.startswith("__") and callable(v)}


def _current(shell) -> dict[str, list]:
    """Every hook and test helper, as ``key -> [objects]``."""
    import threading

    state = {"sys.gettrace": [sys.gettrace()], "sys.getprofile": [sys.getprofile()],
             "sys.displayhook": [sys.displayhook], "sys.excepthook": [sys.excepthook],
             "threading.settrace": [getattr(threading, "_trace_hook", None)],
             "threading.setprofile": [getattr(threading, "_profile_hook", None)]}
    if shell is None:
        return state
    for name in _SHELL_LISTS:
        state[f"shell.{name}"] = list(getattr(shell, name, []))
    mgr = getattr(shell, "input_transformer_manager", None)
    for name in _MANAGER_LISTS:
        state[f"input_transformer_manager.{name}"] = list(getattr(mgr, name, []))
    for name in _SHELL_ATTRS:
        state[f"shell.{name}"] = [getattr(shell, name, None)]
    for name, callbacks in getattr(getattr(shell, "events", None), "callbacks", {}).items():
        state[f"events.{name}"] = list(callbacks)
    for key, value in vars(shell).items():  # methods patched on the instance
        if callable(value) and not isinstance(value, type):
            state[f"shell.{key}"] = [value]
    for klass in type(shell).__mro__:  # ... or on its classes
        for key, value in _callables(klass).items():
            state[f"{klass.__qualname__}.{key}"] = [value]
    return state


def _class_table() -> dict[str, dict[str, int]]:
    """``"module.Class" -> {attribute: id}`` for every class in the MRO of the watched classes."""
    table: dict[str, dict[str, int]] = {}
    watched = list(WATCHED_CLASSES)
    for mod_name in HELPER_CLASS_MODULES:
        mod = sys.modules.get(mod_name)
        watched += [(mod_name, k) for k, v in (vars(mod).items() if mod else ())
                    if isinstance(v, type) and v.__module__ == mod_name]
    for mod_name, cls_name in watched:
        cls = getattr(sys.modules.get(mod_name), cls_name, None)
        if not isinstance(cls, type):
            continue
        for klass in cls.__mro__:
            if klass is object:
                continue
            key = f"{klass.__module__}.{klass.__qualname__}"
            if key not in table:
                try:
                    table[key] = {k: id(v) for k, v in vars(klass).items()}
                except TypeError:
                    continue
    return table


def _class_changes(before: dict[str, dict[str, int]]) -> list[str]:
    found = []
    for key, attrs in _class_table().items():
        old = before.setdefault(key, attrs)  # a class first seen now (framework loaded later)
        if old is attrs:
            continue
        mod_name, _, qual = key.rpartition(".")
        klass = getattr(sys.modules.get(mod_name), qual, None)
        changed = []
        for name, ident in attrs.items():
            if old.get(name) != ident:
                value = vars(klass).get(name) if isinstance(klass, type) else None
                if value is None or not _trusted(value):
                    changed.append(name)
        changed += [name for name in old if name not in attrs]  # a method deleted
        if changed:
            found.append(f"{key}.{', '.join(sorted(changed)[:5])}")
    return found


# --- student code looking into a running test (frames, the garbage collector) ----------------------
# While a test cell runs (as the function labkit.grading.run.scope.FUNCTION), its expected values are
# locals of that call. Reaching them takes a frame (sys._getframe, inspect, a traceback's tb_frame, a
# generator's gi_frame) or the garbage collector: all raise audit events, and an audit hook cannot be
# removed once installed. The hook records such a reach when the code that asked for it comes from
# the notebook but not from the test cell itself; the next probe reports it as tampering.
FRAME_EVENTS = {"sys._getframe", "sys._current_frames", "gc.get_objects", "gc.get_referrers", "gc.get_referents"}
FRAME_ATTRS = {"tb_frame", "gi_frame", "cr_frame", "ag_frame"}
FRAME_APIS = {"currentframe", "stack", "getouterframes", "getinnerframes", "trace", "walk_stack", "walk_tb",
              "extract_stack", "getframeinfo", "format_stack", "print_stack"}
_audit_busy = [False]


def _trusted_file(filename: str) -> bool:
    import os

    return filename.startswith("<frozen") or os.path.realpath(filename).startswith(_trusted_prefixes())


def _audit(event, args):
    if event not in FRAME_EVENTS and not (event == "object.__getattr__" and len(args) > 1 and args[1] in FRAME_ATTRS):
        return
    if _audit_busy[0]:
        return
    _audit_busy[0] = True
    try:
        from labkit.grading.run.scope import FUNCTION

        caller = sys._getframe(1)  # the code that asked for a frame (or for the collector)
        while caller is not None and caller.f_code.co_name in FRAME_APIS and _trusted_file(caller.f_code.co_filename):
            caller = caller.f_back  # inspect.stack() & co. hand the frame to their own caller
        if caller is None or _trusted_file(caller.f_code.co_filename):
            return  # a library looking at its own frames (namedtuple, logging, warnings, ...)
        test = caller
        while test is not None and test.f_code.co_name != FUNCTION:
            test = test.f_back
        if test is None or caller.f_code.co_filename == test.f_code.co_filename:
            return  # not during a test, or the test's own code
        what = f"{event}:{args[1]}" if event == "object.__getattr__" else event
        _state.setdefault("introspection", []).append(what)
    except Exception:  # the hook must never break the code it watches
        pass
    finally:
        _audit_busy[0] = False


def snapshot(preload: tuple[str, ...] = ()) -> None:
    """Record the pristine state (evaluated by the grader before the first cell of the notebook,
    in the same way as :func:`probe`, so that both see the kernel between two executions)."""
    import importlib

    for name in preload:
        try:
            importlib.import_module(name)
        except Exception:  # a missing optional framework is not tampering
            pass
    _state["hooks"] = {k: {id(o) for o in v} for k, v in _current(_get_shell()).items()}
    _state["modules"] = {name: {k: id(v) for k, v in _callables(sys.modules[name]).items()}
                         for name in WATCHED_MODULES if name in sys.modules}
    _state["classes"] = _class_table()
    if not _state.get("audit"):
        sys.addaudithook(_audit)
        _state["audit"] = True


def _get_shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def changes() -> list[str]:
    """Hooks and test helpers replaced by code from the notebook since the snapshot.

    A replacement whose code comes from an installed package (e.g. ``torch._dynamo`` wrapping
    ``torch.manual_seed``, matplotlib registering a ``post_execute`` hook) is not tampering.
    """
    if "hooks" not in _state:
        return ["no hay instantánea del estado inicial del kernel"]
    found = []
    for key, objs in _current(_get_shell()).items():
        before = _state["hooks"].get(key, set())
        if any(id(o) not in before and not _trusted(o) for o in objs):
            found.append(key)
    found += _namespace_changes(_get_shell())
    for name in WATCHED_MODULES:
        mod = sys.modules.get(name)
        if mod is None:
            continue
        table = _callables(mod)
        before = _state["modules"].setdefault(name, {k: id(v) for k, v in table.items()})  # first seen now
        changed = sorted(k for k, v in table.items() if k in before and before[k] != id(v) and not _trusted(v))
        if changed:
            found.append(f"{name}.{', '.join(changed[:5])}")
    found += _class_changes(_state.setdefault("classes", {}))
    seen = _state.get("introspection") or []
    if seen:
        found.append("los datos internos de un test en ejecución (" + ", ".join(sorted(set(seen))[:3]) + ")")
        seen.clear()
    return found


# names the tests use from the notebook's namespace: they must still be the real thing
MODULE_ALIASES = {"np": "numpy", "torch": "torch", "nn": "torch.nn", "F": "torch.nn.functional", "tf": "tensorflow",
                  "keras": "keras", "labkit": "labkit", "time": "time", "math": "math"}
# helpers a notebook may import by name: a notebook global of that name bound to notebook code (not to
# a value from an installed package: a demo's ``outputs = keras.layers.Dense(...)(x)`` is no shadow)
HELPER_MODULES = ["labkit.testing", "labkit.testing_torch", "labkit.testing_tf"]


def _namespace_changes(shell) -> list[str]:
    """Names in the notebook's namespace that shadow a builtin, a test helper or a module alias
    with code from the notebook (e.g. ``check = lambda *a: None`` or ``isinstance = ...``)."""
    import builtins

    if shell is None:
        return []
    found = []
    real = vars(builtins)
    helpers = {}
    for mod_name in HELPER_MODULES:
        mod = sys.modules.get(mod_name)
        helpers.update({k: v for k, v in _callables(mod).items() if not k.startswith("_")} if mod else {})
    for name, value in list(shell.user_ns.items()):
        if name.startswith("_"):
            continue
        if name in real and callable(value) and value is not real[name] and not _trusted(value):
            found.append(f"el nombre {name} (una función de Python)")
        elif name in helpers and value is not helpers[name] and not _trusted(value):
            found.append(f"el nombre {name} (una función de los tests)")
        elif name in MODULE_ALIASES and MODULE_ALIASES[name] in sys.modules \
                and value is not sys.modules[MODULE_ALIASES[name]]:
            found.append(f"el nombre {name} (el módulo {MODULE_ALIASES[name]})")
    return found


def preflight(companions: tuple[str, ...] = ()) -> bool:
    """Run by the grader in a fresh kernel before any notebook cell: the kernel must be able to
    import ``labkit`` (this call proves it) and read every companion file of the assignment in its
    working directory. A failure here is the grader's fault, never the student's: the grader then
    reports the submission as not graded instead of scoring it."""
    import os

    for name in companions:
        with open(name, "rb") as fh:  # PermissionError / FileNotFoundError name the file
            fh.read(1)
    return bool(os.getcwd())


class ProbeResult(Exception):
    """Carries the probe's JSON. Raised, not returned: IPython reports an exception in a
    ``user_expression`` with ``str(exc)`` directly, so no display formatter can rewrite it."""


def probe(nonce: str) -> None:
    """Raise :class:`ProbeResult` with JSON ``{"nonce", "changes"}`` — evaluated by the grader
    (through ``user_expressions``) after each test cell."""
    try:
        found = changes()
    except Exception as err:  # a probe that cannot look is itself a finding
        found = [f"la comprobación falló: {type(err).__name__}"]
    raise ProbeResult(json.dumps({"nonce": nonce, "changes": found}))


# --- static scan (grader side) ------------------------------------------------------------------

# names whose mere use in an answer is worth an instructor's look
_HOOK_ATTRS = {"ast_transformers", "input_transformers_post", "input_transformers_cleanup",
               "input_transformer_manager", "register", "set_custom_exc", "settrace", "setprofile",
               "displayhook", "excepthook", "register_magic_function", "run_cell", "showtraceback",
               "meta_path", "path_hooks", "_getframe", "f_globals", "f_locals", "f_back",
               "tb_frame", "gi_frame", "cr_frame", "__closure__", "cell_contents", "currentframe",
               "_current_frames", "get_referrers", "get_objects", "addaudithook"}
_ESCAPE_NAMES = {"get_ipython", "exec", "eval", "compile", "__import__", "globals", "setattr", "delattr",
                 "__builtins__", "breakpoint"}
_ESCAPE_MODULES = {"ctypes", "gc", "inspect", "importlib", "builtins", "marshal", "pickle", "dill",
                   "socket", "subprocess", "multiprocessing", "signal", "sqlite3", "codecs", "base64",
                   "zlib", "pty", "resource", "shutil", "ptrace", "labkit.grading", "IPython", "ipykernel",
                   "nbgrader", "urllib", "requests", "http"}
_PATCHED_MODULES = {"np", "numpy", "torch", "tf", "time", "math", "labkit", "builtins", "sys", "testing"}
_WATCHED_OBJECTS = {"allclose", "isclose", "array_equal", "assert_allclose", "assert_close", "equal",
                    "perf_counter", "time", "process_time", "monotonic", "check", "check_type",
                    "check_shape", "assert_close", "__eq__", "__ne__", "__bool__", "AssertionError"}


# names the test cells call: redefining them in the notebook's namespace changes every test
_SHADOWED = {"check", "check_type", "check_shape", "assert_close", "check_raises", "isinstance", "type",
             "len", "getattr", "hasattr", "callable", "AssertionError", "print"}


def scan_source(code: str) -> list[str]:
    """Suspicious constructs in one cell of student code (human-readable, Spanish)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        try:  # IPython syntax (magics, !shell): scan what Python can read
            tree = ast.parse("\n".join(l for l in code.splitlines() if not l.lstrip().startswith(("%", "!"))))
        except SyntaxError:
            return []
    found: list[str] = []
    for line in code.splitlines():
        s = line.lstrip()
        if s.startswith("!") or s.startswith("%%bash") or s.startswith("%%sh") or s.startswith("%system"):
            found.append(f"ejecuta órdenes del sistema ({s[:40]!r})")
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if any(name == m or name.startswith(m + ".") for m in _ESCAPE_MODULES):
                    found.append(f"importa {name}")
        elif isinstance(node, ast.Name) and node.id in _ESCAPE_NAMES:
            found.append(f"usa {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in _HOOK_ATTRS:
            found.append(f"toca .{node.attr}")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Attribute) and (t.attr in _WATCHED_OBJECTS or (
                        isinstance(t.value, ast.Name) and t.value.id in _PATCHED_MODULES)):
                    found.append(f"reasigna {ast.unparse(t)}")
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in _SHADOWED | {"__eq__", "__ne__", "__bool__"}:
            found.append(f"define {node.name}")
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [f"reasigna {t.id}" for t in targets if isinstance(t, ast.Name) and t.id in _SHADOWED]
    return sorted(set(found))
