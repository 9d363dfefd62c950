"""nbgrader preprocessors used by the course's autograde pipeline."""
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from labkit.grading.flags import Flag, append_flags, review_note, under_review

STDERR_MARK = "[stderr] "


class StderrToStdout(NbGraderPreprocessor):
    """Relabel stderr stream outputs of graded cells as stdout, marked ``[stderr]``.

    nbgrader scores a test cell 0 when it writes anything to stderr, so a correct answer would
    lose its points to a PyTorch ``UserWarning`` or a TensorFlow log line. The course's tests
    signal failure only by raising, so stderr carries no verdict: it stays visible in the
    feedback, but no longer decides the grade.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    output["name"] = "stdout"
                    output["text"] = STDERR_MARK + output.get("text", "")
        return cell, resources


# --- student output is inert wherever an instructor looks at it ------------------------------

import base64
import binascii
import re
from pathlib import Path

SAFE_MIME = ("text/plain", "image/png", "image/jpeg", "image/gif")
_RASTER = SAFE_MIME[1:]
_TAG = re.compile(r"<\s*[a-zA-Z!/?]")
_SCHEME = re.compile(r"(?i)\b(java|vb)\s*script\s*:|\bdata\s*:\s*text/html")
_MATH_MACRO = re.compile(r"\\(href|url|unicode|class|cssId|style|data|html)\b")
_SAFE_NAME = re.compile(r"^[\w .\-]{1,100}$")
# removed content that is worth a flag (the removal itself never depends on this list): scripts,
# event handlers, frames, script URLs... Rich's or pandas' formatting HTML next to its text/plain is
# dropped silently.
_ACTIVE = re.compile(r"(?i)<\s*(script|iframe|object|embed|link|meta|base|form|svg|math|style)\b|\bon[a-z]+\s*=|"
                     r"javascript\s*:|vbscript\s*:|srcdoc|data\s*:\s*text/html")
_ALWAYS_ACTIVE = ("application/javascript", "text/javascript", "application/vnd.jupyter.widget-view+json",
                  "image/svg+xml")
_CELL_META = ("nbgrader", "deletable", "editable", "tags", "collapsed", "scrolled")
_NB_META = ("kernelspec", "language_info", "nbgrader")
# what JupyterLab, VS Code, Colab... write on their own: dropped without a flag
_BENIGN_META = {"jupyter", "execution", "trusted", "vscode", "colab", "ExecuteTime", "pycharm", "slideshow",
                "id", "toc", "celltoolbar", "varInspector", "jupytext", "widgets", "toc-autonumbering"}
_SAFE_TAG = re.compile(r"^[\w\-]{1,60}$")
REMOVED_NOTE = "[salida retirada al calificar: contenido activo ({}) que no se muestra por seguridad]"


def _plain(name: str) -> str:
    """A student-controlled name made safe to print in a report."""
    return re.sub(r"[^\w/+.\-]", "?", str(name))[:60]


def _is_base64(data) -> bool:
    if not isinstance(data, str):
        return False
    try:
        base64.b64decode("".join(data.split()), validate=True)
        return True
    except (binascii.Error, ValueError):
        return False


def neutralize_markdown(text: str) -> str:
    """Escape raw HTML, script URLs and dangerous math macros in untrusted markdown."""
    text = text.replace("<", "&lt;")
    text = _SCHEME.sub(lambda m: m.group(0).replace(":", "&#58;"), text)
    return _MATH_MACRO.sub(lambda m: "\\text{" + m.group(1) + "}", text)


class NeutralizeOutputs(NbGraderPreprocessor):
    """Make what the submission put in the notebook inert before anything renders it.

    formgrader's manual-grading view and the feedback HTML render the autograded notebook in the
    Jupyter server's own origin: a student's ``text/html`` or JavaScript output would run there with
    the instructor's session (and could drive the Jupyter API). After execution this keeps only
    plain text and raster images (valid base64) in outputs and attachments; escapes raw HTML, script
    URLs and MathJax ``\\href``-like macros in markdown cells that are not the release's own prose;
    keeps only known cell metadata and the kernel/language notebook metadata (widget state is
    dropped). Each removal is flagged (``active-content``) and noted in place, in Spanish.
    """

    def preprocess(self, nb, resources):
        meta = (resources or {}).get("nbgrader", {})
        self._who = (meta.get("assignment", "?"), meta.get("student", "?"))
        self._found: list[str] = []
        root = Path(self.config.CourseDirectory.root or ".")
        self._trusted = self._release_markdown(root / "release" / self._who[0] / f"{self._who[0]}.ipynb")
        for key in list(nb.metadata):
            if key not in _NB_META:
                if key not in _BENIGN_META:
                    self._found.append(f"metadatos del cuaderno «{_plain(key)}»")
                del nb.metadata[key]
        nb, resources = super().preprocess(nb, resources)
        if self._found:
            what = "; ".join(sorted(set(self._found))[:8])
            append_flags(root, [Flag(
                *self._who, "static", "active-content",
                f"active content neutralised (shown as text or removed): {what}",
                f"contenido activo neutralizado (se muestra como texto o se retiró): {what}")])
        return nb, resources

    @staticmethod
    def _release_markdown(path: Path) -> set[str]:
        try:
            import nbformat

            return {c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"}
        except Exception:
            return set()

    def preprocess_cell(self, cell, resources, index):
        where = cell.metadata.get("nbgrader", {}).get("grade_id") or f"celda {index}"
        for key in list(cell.metadata):
            if key not in _CELL_META:
                if key not in _BENIGN_META:
                    self._found.append(f"{where}: metadatos «{_plain(key)}»")
                del cell.metadata[key]
        tags = cell.metadata.get("tags")
        if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) and _SAFE_TAG.match(t) for t in tags)):
            self._found.append(f"{where}: etiquetas de celda")
            cell.metadata["tags"] = [t for t in tags if isinstance(t, str) and _SAFE_TAG.match(t)] if isinstance(tags, list) else []
        if "attachments" in cell:
            self._attachments(cell, where)
        if cell.cell_type == "markdown":  # a missing attachment would crash formgrader and feedback
            names = set(cell.get("attachments") or {})
            cell.source = re.sub(r"attachment:([^)\s\"']+)", lambda m: m.group(0) if m.group(1) in names
                                 else "adjunto-retirado:" + m.group(1), cell.source)
        if cell.cell_type == "markdown" and cell.source not in self._trusted:
            safe = neutralize_markdown(cell.source)
            if safe != cell.source:
                self._found.append(f"{where}: HTML o enlaces activos en markdown")
                cell.source = safe
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                self._output(output, where)
        return cell, resources

    def _attachments(self, cell, where):
        kept = {}
        for name, bundle in (cell.get("attachments") or {}).items():
            good = {m: d for m, d in (bundle or {}).items() if m in _RASTER and _is_base64(d)}
            if _SAFE_NAME.match(str(name)) and good and len(good) == len(bundle):
                kept[name] = good
            else:
                self._found.append(f"{where}: adjunto «{_plain(name)}»")
        if kept:
            cell["attachments"] = kept
        else:
            del cell["attachments"]

    def _output(self, output, where):
        kind = output.get("output_type")
        if kind in ("display_data", "execute_result"):
            data = output.get("data", {})
            removed = {m: data[m] for m in list(data) if m not in SAFE_MIME
                       or (m in _RASTER and not _is_base64(data[m]))
                       or (m == "text/plain" and not isinstance(data[m], (str, list)))}
            for m in removed:
                del data[m]
            if removed:
                names = ", ".join(_plain(m) for m in removed)
                if any(m in _ALWAYS_ACTIVE or _ACTIVE.search(str(content)) for m, content in removed.items()):
                    self._found.append(f"{where}: salida {names}")
                    note = REMOVED_NOTE.format(names)
                    data["text/plain"] = (str(data["text/plain"]) + "\n" + note) if "text/plain" in data else note
                elif "text/plain" not in data:  # formatting only, but nothing else to show
                    data["text/plain"] = REMOVED_NOTE.format(names)
            output["metadata"] = {}
        elif kind == "stream":
            if not isinstance(output.get("text"), (str, list)):
                output["text"] = str(output.get("text"))
        elif kind == "error":
            for key in ("ename", "evalue"):
                output[key] = str(output.get(key, ""))
            output["traceback"] = [str(t) for t in output.get("traceback", [])]
        else:
            self._found.append(f"{where}: salida de tipo «{_plain(kind)}»")
            output.clear()
            output.update({"output_type": "stream", "name": "stdout", "text": REMOVED_NOTE.format(_plain(kind))})


# --- feedback without test code -----------------------------------------------------------------

HIDDEN_NOTE = "# (tests ocultos: su código no se publica; abajo, el resultado y el mensaje)"


class HideTestCode(NbGraderPreprocessor):
    """Feedback shows, per test cell, its name, its points and the failure's Spanish message —
    never the hidden test code nor a traceback that quotes it (nbgrader #917 / #1363).

    The hidden part of every test cell's source is replaced by a note (the visible part is what
    the release already shows), and every error output keeps only ``ename: evalue``.
    """

    def preprocess(self, nb, resources):
        from nbformat.v4 import new_markdown_cell

        meta = (resources or {}).get("nbgrader", {})
        root = Path(self.config.CourseDirectory.root or ".")
        reasons = under_review(root).get((meta.get("assignment"), meta.get("student")))
        if reasons:  # the student sees that this grade is not final
            nb.cells.insert(0, new_markdown_cell(
                f"**Calificación {review_note(reasons)}.** El profesorado revisará esta entrega antes de "
                "dar la nota por definitiva."))
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            meta = cell.metadata.get("nbgrader", {})
            head = f"# Test «{meta.get('grade_id', '?')}» ({meta.get('points', 0):g} punto(s))"
            visible = cell.source.split("### BEGIN HIDDEN TESTS")[0].rstrip()
            cell.source = "\n".join([head, visible, HIDDEN_NOTE] if visible else [head, HIDDEN_NOTE])
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
