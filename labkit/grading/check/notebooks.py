"""Checks of the course's own notebooks: stored outputs, test-cell hygiene, release in sync, the
gradebook's stored tests equal to ``source/`` (checked before every grading run), one term per
concept in student-facing prose (:data:`GLOSSARY`)."""
from __future__ import annotations

import ast
import filecmp
import io
import json
import re
import tempfile
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from labkit.grading.course import REPO, Course

# calls that return None, allowed as the last statement of a test cell
_NONE_CALLS = {"print", "check", "check_type", "check_shape", "assert_close", "check_raises"}


def notebooks_to_strip(root: Path = REPO) -> list[Path]:
    """Notebooks whose outputs must never be committed: ``source/``, ``release/``, ``notebooks/``."""
    return sorted(p for d in ("source", "release", "notebooks") for p in (root / d).glob("**/*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


def strip_outputs(path: Path) -> bool:
    """Remove outputs and execution counts (keeps ``metadata.nbgrader``). True if it changed."""
    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
            cell.outputs, cell.execution_count, changed = [], None, True
        for key in ("execution", "collapsed", "scrolled"):
            if key in cell.metadata:
                del cell.metadata[key]
                changed = True
    if changed:
        nbformat.write(nb, path)
    return changed


def _ends_in_bare_value(source: str) -> bool:
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    if not body or not isinstance(body[-1], ast.Expr):
        return False
    value = body[-1].value
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return len(body) > 1  # a lone docstring
    if isinstance(value, ast.Call):
        fn = value.func
        name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
        return name not in _NONE_CALLS
    return True


def notebook_problems(path: Path) -> list[str]:
    """Problems in one source notebook (empty list when clean)."""
    nb = nbformat.read(path, as_version=4)
    problems, seen = [], set()
    for i, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        where = f"{path.name} cell {i} ({meta.get('grade_id', cell.cell_type)})"
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
            problems.append(f"{where}: stores outputs")
        gid = meta.get("grade_id")
        if gid:
            if gid in seen:
                problems.append(f"{where}: duplicate grade_id")
            seen.add(gid)
        if meta.get("grade") and not meta.get("solution"):  # an autograded test cell
            if not meta.get("locked"):
                problems.append(f"{where}: test cell is not locked")
            if not cell.source.lstrip().startswith('"""'):
                problems.append(f"{where}: test cell should open with a \"\"\"Comprueba que ...\"\"\" docstring")
            if _ends_in_bare_value(cell.source):
                problems.append(f"{where}: test cell ends in a bare expression (read as partial credit)")
        if meta.get("solution") and meta.get("locked"):
            problems.append(f"{where}: answer cell is locked")
    return problems


def source_problems(course: Course) -> list[str]:
    problems = []
    for a in course.assignments():
        problems += notebook_problems(course.notebook("source", a))
    for p in sorted((course.root / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(p, as_version=4)
        if any(c.cell_type == "code" and (c.outputs or c.execution_count) for c in nb.cells):
            problems.append(f"{p.name}: stores outputs")
    return problems


def _normalised(path: Path) -> str:
    return json.dumps(json.loads(path.read_text()), sort_keys=True, indent=1)


def release_drift(course: Course) -> list[str]:
    """Regenerate the release in a scratch course and list every difference with ``release/``."""
    from labkit.grading.collect.release import release

    drift = []
    with tempfile.TemporaryDirectory(prefix="labkit-release-") as tmp:
        scratch = Course.scratch(tmp)
        (scratch.root / "source").symlink_to(course.source, target_is_directory=True)
        release(scratch)
        for a in course.assignments():
            new, old = scratch.release / a, course.release / a
            if not old.is_dir():
                drift.append(f"release/{a}: missing")
                continue
            cmp = filecmp.dircmp(new, old, ignore=[".ipynb_checkpoints", "__pycache__"])
            drift += [f"release/{a}/{n}: missing" for n in cmp.left_only]
            drift += [f"release/{a}/{n}: not generated from source/" for n in cmp.right_only]
            for name in cmp.common_files:
                same = (_normalised(new / name) == _normalised(old / name) if name.endswith(".ipynb")
                        else filecmp.cmp(new / name, old / name, shallow=False))
                if not same:
                    drift.append(f"release/{a}/{name}: differs from a fresh generate_assignment")
        extra = {p.name for p in course.release.iterdir() if p.is_dir()} - set(course.assignments())
        drift += [f"release/{n}: no such assignment in source/" for n in sorted(extra)]
    return drift


def gradebook_problems(course: Course, assignments: list[str]) -> list[str]:
    """Differences between the gradebook's stored test/read-only cells and points and ``source/``.

    nbgrader restores every locked cell of a submission from the gradebook, so a gradebook whose
    stored tests were rewritten (REDTEAM #10) would make every later student pass. An assignment
    not yet in the gradebook is not a problem (autograde would fail on it with its own message).
    """
    problems = []
    with course.gradebook() as gb:
        for a in assignments:
            path = course.notebook("source", a)
            if not path.is_file():
                continue
            try:
                gb.find_assignment(a)
            except Exception:
                continue
            for cell in nbformat.read(path, as_version=4).cells:
                meta = cell.metadata.get("nbgrader", {})
                gid = meta.get("grade_id")
                if not gid or meta.get("solution") or not (meta.get("locked") or meta.get("grade")):
                    continue
                try:
                    stored = gb.find_source_cell(gid, a, a)
                except Exception:
                    problems.append(f"{a}/{gid}: missing from the gradebook")
                    continue
                if stored.source != cell.source:
                    problems.append(f"{a}/{gid}: stored source differs")
                if meta.get("grade"):
                    try:
                        points = float(gb.find_grade_cell(gid, a, a).max_score)
                    except Exception:
                        points = None
                    if points != float(meta.get("points", 0)):
                        problems.append(f"{a}/{gid}: stored points {points} instead of {meta.get('points')}")
    return problems


# --- one term per concept ------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A glossary entry: what the chosen term means, and the variants that student-facing prose
    must not use, each with the regular expression (whole words, any case) that finds it."""

    meaning: str
    avoid: dict[str, str]
    #: phrases where a variant names another concept and may stay (regular expressions)
    allowed: tuple[str, ...] = field(default=())


#: The course's vocabulary, chosen from what the course guide (``../shared/seeds/``) uses most: it keeps
#: the English technical terms *bias*, *notebook*, *learning rate* and *pruning* ("Pruning/Quantization",
#: "Learning Rate Scheduling", "incluye bias", "Notebook comparativo") and says *transponer*; it never
#: names the metric in Spanish, so *exactitud* (the usual translation of *accuracy*, and what the
#: course already used most) wins over *acierto*. The guide notebook's "Glosario" table lists exactly
#: these entries (tests/test_glossary.py), and ``labkit check`` flags the variants
#: (:func:`terminology_problems`).
GLOSSARY: dict[str, Term] = {
    "bias": Term(
        "el término independiente `b` de una capa (`y = x @ W + b`); en plural, *biases*",
        {"sesgo": r"sesgos?"},
        allowed=(r"corrección\s+(?:de|del)\s+sesgo",),  # Adam's bias correction: a statistical bias
    ),
    "transpuesta": Term(
        "la matriz con filas y columnas intercambiadas (`W.T`); el verbo es *transponer*",
        {"traspuesta": r"trasp(?:uest|on|us)\w*"},  # traspuesta(s), trasponer, traspone, traspusiste...
    ),
    "notebook": Term(
        "un documento de Jupyter (`.ipynb`) con celdas de texto y de código",
        {"cuaderno": r"cuadernos?"},
    ),
    "exactitud": Term(
        "fracción de ejemplos bien clasificados (*accuracy*); no es la *precisión* (*precision*)",
        {"acierto": r"aciertos?"},
    ),
    "learning rate": Term(
        "el tamaño del paso del optimizador (`lr`)",
        {"tasa de aprendizaje": r"tasas?\s+de\s+aprendizaje", "ritmo de aprendizaje": r"ritmos?\s+de\s+aprendizaje",
         "razón de aprendizaje": r"raz(?:ón|ones)\s+de\s+aprendizaje"},
    ),
    "pruning": Term(
        "poner a cero los pesos que menos aportan, para aligerar un modelo; como verbo, *aplicar pruning*",
        # "podamos" is left out: it is also a form of "poder"
        {"poda": r"podas?", "podar": r"pod(?:ar|ado|ada|ados|adas|an|aste|ando|ó|arlo|arla|arlos|arlas)"},
    ),
}

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_STRUCK = re.compile(r"~~.+?~~", re.S)  # struck-through text is quoted, not used (the guide's glossary)
_URL = re.compile(r"\]\([^)]*\)|<?https?://[^\s>)]+>?|\bwww\.[^\s)]+")
_MAGIC = re.compile(r"^\s*[%!]")


def _variant_patterns() -> list[tuple[str, str, re.Pattern, list[re.Pattern]]]:
    return [(term, variant, re.compile(rf"(?<!\w){rx}(?!\w)", re.I), [re.compile(a, re.I) for a in entry.allowed])
            for term, entry in GLOSSARY.items() for variant, rx in entry.avoid.items()]


def _plain_prose(text: str) -> str:
    """Markdown (or a string) without code blocks, inline code spans, struck-through text and URLs."""
    return _URL.sub(" ", _STRUCK.sub(" ", _CODE_SPAN.sub(" ", _FENCE.sub(" ", text))))


def code_prose(source: str) -> list[str]:
    """The prose of a code cell: its string literals (docstrings and messages; the literal parts of
    f-strings, not the expressions inside them) and its comments. IPython magics are skipped."""
    source = "\n".join("" if _MAGIC.match(line) else line for line in source.splitlines())
    texts = []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = None
    if tree is not None:
        texts += [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                texts.append(tok.string[1:])
            elif tree is None and tok.type == tokenize.STRING:
                texts.append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return texts


def cell_prose(cell) -> list[str]:
    """Student-facing prose of a notebook cell: markdown text, or a code cell's strings and comments;
    without code blocks, inline code spans, struck-through text and URLs."""
    if cell.cell_type == "markdown":
        texts = [cell.source]
    elif cell.cell_type == "code":
        texts = code_prose(cell.source)
    else:
        texts = []
    return [_plain_prose(t) for t in texts]


def variants_in(text: str) -> list[tuple[str, str, str]]:
    """``(variant, chosen term, matched words)`` for every glossary variant in ``text``."""
    found = []
    for term, variant, pattern, allowed in _variant_patterns():
        spans = [m.span() for a in allowed for m in a.finditer(text)]
        for m in pattern.finditer(text):
            if not any(a <= m.start() < b for a, b in spans):
                found.append((variant, term, m.group(0)))
    return found


def terminology_problems_in(path: Path) -> list[str]:
    """One line per variant of a glossary term in the prose of one notebook."""
    nb = nbformat.read(path, as_version=4)
    problems = []
    for i, cell in enumerate(nb.cells):
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        where = f"{path.parent.name}/{path.name} cell {i} ({gid or cell.get('id') or cell.cell_type})"
        counts: dict[tuple[str, str], int] = {}
        for text in cell_prose(cell):
            for _, term, words in variants_in(text):
                key = (" ".join(words.split()), term)
                counts[key] = counts.get(key, 0) + 1
        for (words, term), count in counts.items():
            times = f" ×{count}" if count > 1 else ""
            problems.append(f"{where}: '{words}'{times} — the course's term is '{term}' "
                            "(glossary in notebooks/01_guia_laboratorio.ipynb)")
    return problems


def terminology_problems(course: Course) -> list[str]:
    """Variants of the glossary's terms in the student-facing prose of ``notebooks/*.ipynb`` and
    ``source/*/*.ipynb`` (markdown, and the strings and comments of code cells; not identifiers,
    inline code or URLs)."""
    paths = sorted((course.root / "notebooks").glob("*.ipynb"))
    paths += [course.notebook("source", a) for a in course.assignments()]
    return [problem for path in paths for problem in terminology_problems_in(path)]
