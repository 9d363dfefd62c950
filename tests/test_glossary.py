"""One term per concept: the guide's "Glosario" and ``labkit check`` read the same dict
(``labkit.grading.check.notebooks.GLOSSARY``), and the ungraded notebooks use only its terms."""
from __future__ import annotations

import nbformat
import pytest

from labkit.grading.check import notebooks as checks
from labkit.grading.course import REPO, Course

GUIDE = REPO / "notebooks" / "01_guia_laboratorio.ipynb"


def _found(source: str, cell_type: str = "markdown") -> list[str]:
    """The glossary variants that the check finds in one cell."""
    new_cell = nbformat.v4.new_markdown_cell if cell_type == "markdown" else nbformat.v4.new_code_cell
    return [variant for text in checks.cell_prose(new_cell(source))
            for variant, _, _ in checks.variants_in(text)]


def glossary_table() -> dict[str, tuple[list[str], str]]:
    """The guide's glossary: term -> (variants to avoid, meaning), as the table shows them."""
    cells = [c for c in nbformat.read(GUIDE, as_version=4).cells
             if c.cell_type == "markdown" and c.source.startswith("## Glosario")]
    assert len(cells) == 1, f"the guide should have one '## Glosario' cell, it has {len(cells)}"
    rows = [line for line in cells[0].source.splitlines() if line.startswith("|")]
    assert [c.strip() for c in rows[0].strip("|").split("|")] == ["término", "evita", "significado"]
    table = {}
    for row in rows[2:]:
        term, avoid, meaning = (c.strip() for c in row.strip().strip("|").split(" | "))
        table[term.strip("*")] = ([v.strip().strip("~") for v in avoid.split(",")], meaning)
    return table


def test_the_guide_glossary_lists_exactly_the_checked_terms():
    table = glossary_table()
    assert list(table) == list(checks.GLOSSARY), "the guide's Glosario and checks.GLOSSARY list different terms"
    for term, entry in checks.GLOSSARY.items():
        assert table[term] == (list(entry.avoid), entry.meaning), f"'{term}': the guide and checks.GLOSSARY differ"


def test_every_variant_pattern_finds_its_own_name_and_no_chosen_term():
    for term, entry in checks.GLOSSARY.items():
        assert _found(f"Una frase con {term} dentro.") == []
        for variant in entry.avoid:
            assert _found(f"Una frase con {variant} dentro.") == [variant]
            assert _found(f"Una frase con {variant.upper()} en mayúsculas.") == [variant]


@pytest.mark.parametrize("text, expected", [
    ("Cada capa tiene pesos y sesgos.", ["sesgo"]),
    ("Adam aplica la corrección de sesgo en los primeros pasos.", []),     # another concept: allowed
    ("Copia la traspuesta; hay que trasponer; ¿traspusiste W?", ["traspuesta"] * 3),
    ("El traspaso de pesos entre frameworks.", []),                        # traspasar is not transponer
    ("Este cuaderno usa los dos frameworks.", ["cuaderno"]),
    ("El acierto en test es 0.95.", ["acierto"]),
    ("Bajamos la tasa de\naprendizaje a la mitad.", ["tasa de aprendizaje"]),
    ("La poda L1 quita pesos; podamos comprobarlo; el modelo podado.", ["poda", "podar"]),
    ("Usa `sesgo` como nombre, o mira https://example.org/cuaderno/poda", []),
    ("```python\nsesgo = 0  # código\n```\nTexto limpio.", []),
    ("| *bias* | ~~sesgo~~ | el término b |", []),                        # quoted as the variant to avoid
])
def test_markdown_prose(text, expected):
    assert _found(text) == expected


def test_code_cells_check_strings_and_comments_not_identifiers():
    source = ('acierto = 0.9  # identifier: fine\n'
              'sesgos_totales = 3\n'
              'print(f"exactitud: {acierto:.2f}")\n'
              'check(x, f"¿Olvidaste el sesgo? {sesgos_totales}")\n'
              '# se entrega junto al cuaderno\n'
              '%timeit poda(model)\n')
    assert _found(source, "code") == ["sesgo", "cuaderno"]


def test_problems_name_the_notebook_the_cell_and_the_term(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Todo bien.", id="a"),
                                         nbformat.v4.new_markdown_cell("La poda y la poda.", id="b")])
    path = tmp_path / "demo.ipynb"
    nbformat.write(nb, path)
    assert checks.terminology_problems_in(path) == [
        f"{tmp_path.name}/demo.ipynb cell 1 (b): 'poda' ×2 — the course's term is 'pruning' "
        "(glossary in notebooks/01_guia_laboratorio.ipynb)"]


def test_the_ungraded_notebooks_use_only_the_glossary_terms():
    course = Course()
    problems = [p for path in sorted((course.root / "notebooks").glob("*.ipynb"))
                for p in checks.terminology_problems_in(path)]
    assert not problems, "\n".join(problems)


def test_source_notebooks_use_one_term_per_concept():
    """`labkit check` flags glossary variants in the graded notebooks too; keep them clean."""
    from labkit.grading.check import notebooks as checks
    from labkit.grading.course import Course

    assert checks.terminology_problems(Course()) == []
