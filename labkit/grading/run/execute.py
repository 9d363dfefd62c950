"""``GuardedExecute``: nbgrader's Execute step, hardened for untrusted submissions.

It replaces ``nbgrader.preprocessors.Execute`` in ``nbgrader_config.py`` and adds, around the same
cell-by-cell execution:

* the kernel runs in the sandbox of :mod:`labkit.grading.run.sandbox` (no network, no view of
  ``source/`` or the gradebook, resource limits, every process killed at the end);
* before running anything, :func:`labkit.grading.run.integrity.scan_source` flags suspicious code in the
  student's cells (reported, not penalised by itself);
* before the first cell the kernel records its pristine state, and after every test cell a probe
  (evaluated without any input/AST transformer) lists hooks or test helpers that changed: that test
  cell then gets an error output, so it scores 0, and the finding is flagged;
* a notebook deadline (``LAB08_NOTEBOOK_TIMEOUT``, default 600 s) and a kernel that stops answering
  after a cell timeout (a loop that ignores SIGINT) or dies (``os._exit``, a segfault, the memory
  limit) end the run *gracefully*: the cells that ran keep their results, every test cell that could
  not run gets an error output with the reason (0 points, never nbgrader's "full marks for a cell
  without output"), and the reason is flagged.

Findings go to ``reports/flags.jsonl`` (:mod:`labkit.grading.flags`).
"""
from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute

from labkit import settings
from labkit.grading import flags as flagging
from labkit.grading.flags import Flag
from labkit.grading.run import integrity, scope
from labkit.grading.run.sandbox import SandboxKernelManager, isolation_level

PROBE_TIMEOUT = settings.PROBE_TIMEOUT  # seconds a kernel has to answer a probe before it counts as unresponsive


class GraderFault(RuntimeError):
    """The grader, not the submission, is at fault (the kernel cannot start, cannot import
    ``labkit`` or cannot read a companion file): the submission is reported NOT GRADED with this
    reason instead of losing points."""


def _is_test(cell) -> bool:
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def _error_output(ename: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=message,
                        traceback=[f"{ename}: {message}"])


class GuardedExecute(Execute):
    """nbgrader's ``Execute`` with a sandboxed kernel, tamper probes and graceful deadlines."""

    def preprocess(self, nb, resources=None, km=None):
        meta = (resources or {}).get("nbgrader", {})
        self._who = (meta.get("assignment", "?"), meta.get("student", "?"))
        self._flags: list[Flag] = []
        flagging.clear_run_flags(Path(self.config.CourseDirectory.root or "."), *self._who)
        self._dead: str | None = None
        self._snapshot_done = False
        self._deadline = time.monotonic() + settings.NOTEBOOK_TIMEOUT.get()
        root = Path(self.config.CourseDirectory.root or ".")
        release_dir = root / "release" / self._who[0]
        companions = sorted(p for p in release_dir.glob("*") if p.is_file() and p.suffix != ".ipynb")
        self._companions = companions
        self.kernel_manager_class = type("CourseKernelManager", (SandboxKernelManager,),
                                         {"companions": companions, "course_root": root})
        self.extra_arguments = [*self.extra_arguments, "--IPKernelApp.log_level=50"]
        self._scan(nb, release_dir / f"{self._who[0]}.ipynb")
        self._later_loads = scope.trusted_later_loads(root / "source" / self._who[0] / f"{self._who[0]}.ipynb")
        self._index = -1  # the cell being executed
        try:
            return super().preprocess(nb, resources, km)
        except GraderFault:
            raise
        except Exception as err:  # the kernel could not start, or execution broke down
            first_line = str(err).strip().splitlines()[0] if str(err).strip() else ""
            if self._index < 0:  # no cell ran: nothing the student wrote can be the cause
                raise GraderFault(f"the grading kernel could not start ({type(err).__name__}: {first_line})") from err
            self._abort(f"execution stopped at cell {self._index} ({type(err).__name__}: {first_line})",
                        "la ejecución del cuaderno se detuvo" + (" (no arrancó el kernel)" if self._index < 0 else ""))
            for i, cell in enumerate(nb.cells):
                if i >= self._index:
                    self._mark_not_run(cell, ran=i == self._index)
            return nb, resources
        finally:
            if isolation_level() != "bwrap":
                self._flag("sandbox", "isolation", "kernel not sandboxed (bubblewrap unavailable): limits only",
                           "kernel sin aislamiento completo (solo límites de recursos)")
            flagging.append_flags(root, self._flags)

    # --- before running --------------------------------------------------------------------
    def _scan(self, nb, release_nb: Path) -> None:
        """Flag suspicious code in answer cells and in cells the student added or edited."""
        try:
            import nbformat

            given = {c.source for c in nbformat.read(release_nb, as_version=4).cells if c.cell_type == "code"}
        except Exception:
            given = set()
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or _is_test(cell):
                continue
            if not utils.is_solution(cell) and cell.source in given:
                continue
            where = cell.metadata.get("nbgrader", {}).get("grade_id") or f"celda {i}"
            for finding in integrity.scan_source(cell.source):
                self._flag("static", "suspicious-code", f"{where}: {finding}",
                           f"{where}: {finding} (revisión manual)")

    def _flag(self, source, kind, message, mensaje=""):
        self._flags.append(Flag(*self._who, source, kind, message, mensaje))

    # --- running -----------------------------------------------------------------------------
    def preprocess_cell(self, cell, resources, index):
        original = cell.source
        try:
            return self._preprocess_cell(cell, resources, index)
        finally:
            cell.source = original  # the autograded notebook keeps the test as written

    def _preprocess_cell(self, cell, resources, index):
        if not self._snapshot_done:
            self._snapshot_done = True
            self._snapshot()
        if self._dead:
            self._mark_not_run(cell)
            return cell, self.resources
        if cell.cell_type == "code" and time.monotonic() > self._deadline:
            self._abort("the notebook ran past its deadline (LAB08_NOTEBOOK_TIMEOUT)",
                        "el cuaderno superó el tiempo total permitido", kill=True)
            self._mark_not_run(cell)
            return cell, self.resources
        self._index = index
        if _is_test(cell):  # the test runs in its own scope: its values are no notebook globals
            cell.source = scope.wrap(cell.source, self._later_loads.get(
                cell.metadata.get("nbgrader", {}).get("grade_id"), set()))
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except CellTimeoutError as err:  # no end of output after the reply (e.g. after a timeout)
            cell.outputs.append(_error_output("CellTimeoutError", str(err).splitlines()[0]))
            self._check(cell, timed_out=True)  # a kernel that is still busy is stopped here
            return cell, self.resources
        except DeadKernelError:
            self._abort("the kernel died (os._exit, a crash or the memory limit)",
                        "el kernel murió (os._exit, un fallo o el límite de memoria)")
            self._mark_not_run(cell, ran=True)
            return cell, self.resources
        if cell.cell_type != "code":
            return cell, self.resources
        timed_out = any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", []))
        if _is_test(cell) or timed_out:
            self._check(cell, timed_out)
        return cell, self.resources

    def _preflight(self) -> None:
        names = tuple(p.name for p in self._companions)
        expr = f"__import__('labkit.grading.run.integrity', fromlist=['preflight']).preflight({names!r})"
        reply = self._silent("", user_expressions={"preflight": expr}, timeout=self._ready_timeout())
        if reply is None:
            raise GraderFault("the grading kernel did not answer before the first cell")
        result = reply.get("content", {}).get("user_expressions", {}).get("preflight", {})
        if result.get("status") != "ok":
            raise GraderFault(f"the grading kernel is not usable: {result.get('ename')}: {result.get('evalue')} "
                              "(is labkit installed in the course environment, and can the kernel's user "
                              "read release/<assignment>/?)")

    def _snapshot(self) -> None:
        self._preflight()
        text = "\n".join(c.source for c in self.nb.cells if c.cell_type == "code")
        preload = ["numpy", "labkit.testing"]
        if "torch" in text:
            preload += ["torch", "torch.nn.functional", "torch.testing", "labkit.testing_torch"]
        if "tensorflow" in text or "keras" in text:
            preload += ["tensorflow", "keras"]
        expr = (f"__import__('labkit.grading.run.integrity', fromlist=['snapshot'])"
                f".snapshot(preload={tuple(preload)!r})")
        reply = self._silent("", user_expressions={"snapshot": expr}, timeout=self._ready_timeout())
        result = (reply or {}).get("content", {}).get("user_expressions", {}).get("snapshot", {})
        if result.get("status") != "ok":
            self._flag("integrity", "no-snapshot", "could not record the kernel's initial state",
                       "no se pudo registrar el estado inicial del kernel")

    def _check(self, cell, timed_out: bool) -> None:
        """Probe the kernel after a test cell (or any cell that timed out)."""
        nonce = uuid.uuid4().hex
        expr = f"__import__('labkit.grading.run.integrity', fromlist=['probe']).probe({nonce!r})"
        reply = self._silent("", user_expressions={"probe": expr}, timeout=PROBE_TIMEOUT)
        where = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
        if reply is None:
            self._abort(f"the kernel stopped answering after cell {where} (a loop that ignores interrupts?)",
                        f"el kernel dejó de responder tras la celda {where} (¿un bucle que ignora las interrupciones?)",
                        kill=True)
            if _is_test(cell):
                self._mark_not_run(cell, ran=True)
            return
        if timed_out or not _is_test(cell):
            return
        changes = self._probe_changes(reply, nonce)
        if changes:
            what = ", ".join(changes[:6])
            self._flag("integrity", "tampering", f"{where}: kernel state changed ({what})",
                       f"{where}: el código del cuaderno modificó {what}")
            cell.outputs.append(_error_output(
                "IntegridadError",
                f"Esta celda no puede calificarse: el código del cuaderno modificó {what}, de lo que dependen "
                "los tests. Quita ese código y vuelve a entregar."))

    @staticmethod
    def _probe_changes(reply, nonce) -> list[str]:
        content = reply["content"]
        if content.get("status") != "ok":
            return [f"la ejecución de la comprobación falló ({content.get('ename', '?')})"]
        result = content.get("user_expressions", {}).get("probe", {})
        if result.get("ename") != "ProbeResult":
            return [f"la comprobación no respondió como se esperaba ({result.get('ename') or result.get('status')})"]
        try:
            data = json.loads(result.get("evalue", ""))
        except json.JSONDecodeError:
            return ["la comprobación devolvió datos ilegibles"]
        if data.get("nonce") != nonce:
            return ["la comprobación devolvió una respuesta falsificada"]
        return [str(c) for c in data.get("changes", [])]

    def _ready_timeout(self) -> float:
        """Seconds a new kernel has for its first answers: the cell timeout, at least KERNEL_READY_TIMEOUT."""
        return max(settings.KERNEL_READY_TIMEOUT, self.timeout or 0)

    def _silent(self, code, *, user_expressions=None, timeout):
        """Run ``code`` silently in the kernel and return the reply (None if none came in time)."""
        async def go():
            msg_id = self.kc.execute(code, silent=True, store_history=False,
                                     user_expressions=user_expressions or {}, allow_stdin=False)
            saved = self.timeout
            self.timeout = timeout
            try:
                return await self.async_wait_for_reply(msg_id)
            finally:
                self.timeout = saved
        try:
            return run_sync(go)()
        except DeadKernelError:
            return None

    # --- ending early ------------------------------------------------------------------------
    def _abort(self, message: str, mensaje: str, kill: bool = False) -> None:
        if self._dead:
            return
        self._dead = mensaje
        self._flag("sandbox", "aborted", message, mensaje)
        if kill and self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:
                pass

    def _mark_not_run(self, cell, ran: bool = False) -> None:
        """A test cell that could not run (or finish) gets an error output: 0 points, with the reason."""
        if not _is_test(cell):
            return
        if not ran:
            cell.outputs = []
        if not any(o.get("output_type") == "error" for o in cell.outputs):
            cell.outputs.append(_error_output(
                "CuadernoInterrumpido", f"Esta celda no se pudo ejecutar: {self._dead}."))
