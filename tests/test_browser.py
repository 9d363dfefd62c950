"""In a real browser (Playwright driving Debian's chromium): student output is inert wherever an
instructor looks at it (issue 12).

Also: a markdown cell that refers to a missing attachment used to crash formgrader's view (and
feedback generation) for that submission; the neutralising step repairs the reference.

A hostile part0 submission puts active content in every route we know — ``text/html``,
``application/javascript``, SVG and markdown display outputs, ``_repr_html_``, a reflection answer in
markdown with raw HTML and a ``javascript:`` link, a MathJax ``\\href``, an error message, cell and
notebook metadata, attachment names. Each payload, if it ever ran, would set ``window.__pwned`` and
write a file into the course through the Jupyter API with the instructor's session (XSRF token
included). The submission is graded, then opened in formgrader's manual-grading view and its
feedback file is opened through the same Jupyter server; no payload may run and nothing may be
written. A positive control renders the raw submission without the course's defences and must
trip the detector, so the test can fail.

Skipped (with the reason) only where chromium or playwright is missing; `.ci/run` installs both.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import nbformat
import pytest

from labkit.grading import flags, samples
from labkit.grading.course import REPO
from labkit.grading.record import gradebook
from labkit.grading.report.scores import export_csv, read_csv
from labkit.grading.run.grade import grade
from support import make_scratch_course

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover
    sync_playwright = None

pytestmark = [
    pytest.mark.grading,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif((CHROMIUM is None or sync_playwright is None) and os.environ.get("LAB08_REQUIRE_BROWSER") != "1",
                       reason="needs Debian's chromium and the playwright package (`.ci/run` installs both)"),
]

A = "part0_numpy_bridge"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]


def payload(tag: str) -> str:
    """JavaScript that marks the page and writes a file through the Jupyter API as the instructor."""
    return ("(function(){try{var w=window.top||window;w.__pwned=(w.__pwned||'')+'" + tag + ";';"
            "var x=(document.cookie.match(/_xsrf=([^;]+)/)||[])[1]||'';"
            "fetch('/api/contents/pwned_" + tag + ".txt',{method:'PUT',credentials:'include',"
            "headers:{'Content-Type':'application/json','X-XSRFToken':x},"
            "body:JSON.stringify({type:'file',format:'text',content:'" + tag + "'})});}catch(e){}})()")


def _attr(js: str) -> str:
    return js.replace('"', "&quot;")


def hostile_cells() -> dict[str, str]:
    """Answer cells of part0 (on top of the reference answers) that display active content."""
    img = '<img src=x onerror="{}">'
    code = f'''
from IPython.display import HTML, Javascript, SVG, Markdown, display
display(HTML({img.format(_attr(payload("html")))!r}))
display(Javascript({payload("js")!r}))
display(SVG({('<svg xmlns="http://www.w3.org/2000/svg" onload="' + _attr(payload("svg")) + '"><script>' + payload("svgscript") + '</script></svg>')!r}))
display(Markdown({img.format(_attr(payload("markdown")))!r}))
class _Rich:
    def _repr_html_(self):
        return {('<script>' + payload("repr") + '</script>')!r}
display(_Rich())
display({{"application/vnd.jupyter.widget-view+json": {{"model_id": "x", "version_major": 2, "version_minor": 0}},
          "text/html": {('<iframe srcdoc="<script>' + _attr(payload("iframe")) + '</script>"></iframe>')!r}}}, raw=True)
'''
    return {"convert": "def to_torch(x):\n    return torch.from_numpy(x)\n\n\ndef to_numpy(t):\n"
                       "    return t.detach().cpu().numpy()\n" + code}


def hostile_notebook(course) -> nbformat.NotebookNode:
    nb = samples.reference_notebook(course, A)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in hostile_cells():
            cell.source = hostile_cells()[gid]
        elif gid == "q_linear":  # a reflection answer in markdown
            cell.source = ("Mi respuesta <script>" + payload("mdscript") + "</script> "
                           '<img src=x onerror="' + _attr(payload("mdimg")) + '"> '
                           "[enlace](javascript:" + payload("mdlink").replace(")", "%29") + ") "
                           "$\\href{javascript:alert(1)}{clic}$ ![](attachment:x.png)")
            cell.metadata["onload"] = "<script>" + payload("meta") + "</script>"
            cell["attachments"] = {'x.png" onerror="' + _attr(payload("attach")) + '"': {"image/png": "iVBORw0KGgo="}}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                            "version_minor": 0}}
    return nb


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A graded course (hostile + reference) and a Jupyter server with formgrader on its root."""
    course = make_scratch_course(tmp_path_factory.mktemp("browser") / "course", [A])
    shutil.copy(REPO / "nbgrader_config.py", course.root / "nbgrader_config.py")  # formgrader reads it from the root
    samples.write_submission(course, "hostile", A, hostile_notebook(course))
    samples.write_submission(course, "reference", A, samples.reference_notebook(course, A))
    started = time.perf_counter()
    results = {r.student: r for r in grade(course, [(A, "hostile"), (A, "reference")], echo=lambda _: None)}
    assert all(r.ok for r in results.values()), {s: r.message for s, r in results.items()}
    token, port = secrets.token_hex(16), _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(course.root / ".jupyter"), "JUPYTER_RUNTIME_DIR": str(course.root / ".rt")}
    log = open(course.root / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "jupyter", "server", "--no-browser", f"--port={port}",
                             "--ip=127.0.0.1", f"--IdentityProvider.token={token}", "--allow-root",
                             f"--ServerApp.root_dir={course.root}"], cwd=course.root, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the Jupyter server did not start: " + (course.root / "server.log").read_text()[-2000:])
    try:
        yield {"course": course, "base": base, "token": token, "grading_s": time.perf_counter() - started}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _visit(server, url: str) -> dict:
    """Open ``url`` logged in as the instructor; return what ran and what was written."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{server['base']}/api/status?token={server['token']}")  # session cookie + _xsrf
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1500)
        ran = [f.evaluate("() => window.__pwned || ''") for f in page.frames if not f.is_detached()]
        html = page.content()
        browser.close()
    written = sorted(p.name for p in server["course"].root.rglob("pwned_*"))
    return {"ran": "".join(ran), "written": written, "dialogs": dialogs, "html": html}


def _submission_id(course, student: str) -> str:
    with course.gradebook() as gb:
        return gb.find_submission_notebook(A, A, student).id


def test_formgrader_manual_grading_view_runs_no_student_code(server):
    seen = _visit(server, f"{server['base']}/formgrader/submissions/{_submission_id(server['course'], 'hostile')}/")
    assert "Mi respuesta" in seen["html"] or "retirada" in seen["html"], "the submission did not render"
    assert seen["ran"] == "" and seen["written"] == [] and seen["dialogs"] == [], seen


def test_feedback_file_runs_no_student_code(server):
    # as an instructor or a student opens a feedback file: from disk (scripts would run there too)
    seen = _visit(server, (server["course"].feedback / "hostile" / A / f"{A}.html").as_uri())
    assert "retirada" in seen["html"], "the feedback did not render the neutralised outputs"
    assert seen["ran"] == "" and seen["written"] == [] and seen["dialogs"] == [], seen


def test_what_was_removed_is_flagged_and_the_reference_is_not(server):
    review = flags.under_review(server["course"].root)
    assert (A, "hostile") in review and (A, "reference") not in review
    kinds = {f.kind for f in flags.read_flags(server["course"].root) if f.student == "hostile"}
    assert "active-content" in kinds


def test_manual_points_given_in_formgrader_reach_the_gradebook_table_and_csv(server):
    """Issue 12: an instructor grades a reflection answer by hand in formgrader's view."""
    from labkit.grading.report import export

    course = server["course"]
    before = next(s for s in gradebook.scores(course) if s.student == "reference")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page()
        page.goto(f"{server['base']}/api/status?token={server['token']}")
        page.goto(f"{server['base']}/formgrader/submissions/{_submission_id(course, 'reference')}/")
        page.wait_for_selector("#q_linear")
        page.fill("#q_linear", "1")
        page.press("#q_linear", "Tab")  # formgrader saves on change
        for _ in range(60):
            with course.gradebook() as gb:
                if gb.find_grade("q_linear", A, A, "reference").manual_score == 1:
                    break
            page.wait_for_timeout(250)
        browser.close()
    with course.gradebook() as gb:
        assert gb.find_grade("q_linear", A, A, "reference").manual_score == 1
    after = next(s for s in gradebook.scores(course) if s.student == "reference")
    assert after.manual_pending == before.manual_pending - 1
    rows = {(r["assignment"], r["student_id"]): r for r in read_csv(export_csv(course, course.root / "g.csv"))}
    assert float(rows[(A, "reference")]["score"]) == before.code_score + 1
    path, _ = export.export(course, "moodle", course.root / "moodle.csv")
    moodle = {r["Username"]: r for r in read_csv(path)}
    assert float(moodle["reference"][A]) == before.code_score + 1
    assert moodle["hostile"][A] == ""  # under review: no final grade goes to the LMS


def test_the_detector_trips_on_the_raw_submission(server, tmp_path):
    """Positive control: the same submission rendered by plain nbconvert (no neutralising step)
    runs the payload, so the tests above would notice a regression."""
    from nbconvert import HTMLExporter

    course = server["course"]
    raw = nbformat.read(course.notebook("submitted", A, "hostile"), as_version=4)
    from nbclient import NotebookClient

    cell = next(c for c in raw.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "convert")
    NotebookClient(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import torch"), cell]),
                   timeout=120, kernel_name="python3").execute()
    html, _ = HTMLExporter().from_notebook_node(nbformat.v4.new_notebook(cells=[cell]))
    out = course.root / "control.html"
    out.write_text(html)
    seen = _visit(server, out.as_uri())
    assert "html;" in seen["ran"] or "js;" in seen["ran"], seen["ran"]
    for f in course.root.rglob("pwned_*"):
        f.unlink()


def _status(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=10).status
    except urllib.error.HTTPError as err:
        return err.code


def test_a_student_session_in_jupyterlab_from_the_edition(tmp_path):
    """Issue 12: what a student sees — the student edition opened in JupyterLab (its own labkit),
    Run All, then nbgrader's Validate: the Spanish message of the failed visible test, no ✔ for it,
    no stderr noise, and Validate reporting the failure."""
    from labkit.grading import publish
    from labkit.grading.course import Course

    edition = publish.build(Course(), tmp_path / "lab08")
    folder = edition / "release" / A
    nb = nbformat.read(folder / f"{A}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "convert":  # a wrong answer: no tensor
            cell.source = "def to_torch(x):\n    return x\n\n\ndef to_numpy(t):\n    return t.detach().cpu().numpy()\n"
    nbformat.write(nb, folder / "prueba.ipynb")
    token, port = secrets.token_hex(16), _free_port()
    env = {**os.environ, "PYTHONPATH": str(edition), "TF_CPP_MIN_LOG_LEVEL": "3",  # as the edition's tasks.py
           "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
           "JUPYTER_CONFIG_PATH": str(edition / "jupyter")}
    for var in ("LAB08_KERNEL_THREADS", "LAB08_CPU_BUDGET", "LAB08_THREADS_FIXED"):
        env.pop(var, None)
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
                             f"--IdentityProvider.token={token}", "--allow-root", f"--ServerApp.root_dir={edition}"],
                            cwd=edition, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/lab/tree/release/{A}/prueba.ipynb?reset&token={token}")
            page.wait_for_selector(".jp-Notebook:visible", timeout=180_000)
            page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=180_000)
            menus = page.locator(".lm-MenuBar-itemLabel").evaluate_all("els => els.map(e => e.textContent)")
            formgrader = _status(f"{base}/formgrader?token={token}")
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            page.wait_for_selector(".jp-OutputArea-output >> text=debe ser Tensor", timeout=180_000)
            page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=180_000)
            # textContent, not innerText: JupyterLab 4 renders only the cells in view
            outputs = page.locator(".jp-OutputArea-output").evaluate_all("els => els.map(e => e.textContent)")
            printed = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]') \
                .evaluate_all("els => els.map(e => e.textContent)")
            noisy = [t for t in page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
                     .evaluate_all("els => els.map(e => e.textContent)")
                     if t.strip() and "Traceback (most recent call last)" not in t]  # Lab shows errors as stderr too
            page.locator("button:has-text('Validate'), jp-button:has-text('Validate')").first.click()
            page.wait_for_selector(".jp-Dialog", timeout=300_000)
            page.wait_for_timeout(500)
            dialog = page.locator(".jp-Dialog").inner_text()
            page.screenshot(path=str(tmp_path / "student.png"))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    assert any("to_torch(x) debe ser Tensor, y es ndarray" in t for t in outputs), outputs  # the Spanish message
    assert not any("✔ to_torch devuelve un tensor" in t for t in printed), printed  # no ✔ for the failed test
    assert not noisy, noisy
    assert "failed" in dialog and "to_torch" in dialog, dialog
    assert "Nbgrader" not in menus and "Formgrader" not in menus, menus  # no instructor panels for students
    assert formgrader == 404, formgrader
