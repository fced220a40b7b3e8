"""The released notebook as a student meets it: JupyterLab 4 and Notebook 7 with nbgrader's Validate.

In a real headless Chromium (Debian's) driven by Playwright, against a JupyterLab server started
on a free localhost port in a temporary copy of release/ (with the data, the lineup and
em_grading.py, as students get them, and no nbgrader_config.py):

1. open the notebook, run all: the data load, the lineup shows, the first stub fails with a
   NotImplementedError; each other stub, run with its visible test, fails the same way;
2. paste the reference solution into the solution cells, restart and run all: every visible
   test prints OK, nothing fails or writes to stderr, the faces and the background appear;
3. press Validate: success; with calculate_lower_bound broken again, Validate shows the
   failing check's message;
4. a correct but slow run_EM: the faces appear while the schedule cell is still running.

A second test presses Validate in Notebook 7. A third opens the solution's HTML for readers
(solutions/em_prankster/em_prankster.html) from file with the network off and every request
refused: nothing is requested, the formulas are laid out as math, the lineup loads, the test
cells are folded. Screenshots for a person to look at go to build/browser/ (their paths are
printed at the end of the run).
"""
import re
import shutil

import pytest

import corpus
from support.browser import LabServer, NotebookPage, launch_chromium, require_browser, time_limit
from support import ANSWERS, ASSIGNMENT, DATA, EM, FUNCTIONS, NOTEBOOK, RELEASE_NB, REPORTS, ROOT, SOLUTION_NB
from coursetools import notebook_cells
pytestmark = pytest.mark.slow  # `make check` leaves it out (pytest.ini)

ARTIFACTS = ROOT / "build" / "browser"
OVERALL_TIMEOUT = 900   # seconds for a whole test, server start to stop; it takes about a minute
RUN_TIMEOUT = 300       # seconds for one "run all" (the notebook's cell limit is 300 s)
STUB_ERROR = "NotImplementedError"
ANSWER_VARIABLES = ("PRANKSTER", "GAMES_LOCATION")  # what the answer cells (ANSWERS) ask to assign
HIDDEN_LINE = EM.checks().CHECKED_WHEN_GRADED  # what a hidden-test cell prints when a student runs it
# A correct run_EM made slow, as a solution with loops is: 1.5 s more per call.
SLOW_RUN_EM = """


_fast_run_EM = run_EM


def run_EM(*args, **kwargs):
    time.sleep(1.5)
    return _fast_run_EM(*args, **kwargs)
"""
# The schedule cell (index arg) is still running ("[*]") and already shows a face.
FACE_WHILE_RUNNING_JS = """(index) => {
    const cell = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')[index];
    const running = cell.querySelector('.jp-InputPrompt').innerText.includes('*');
    return running && [...cell.querySelectorAll('.jp-OutputArea-output img')].some(img => img.naturalWidth > 0);
}"""


@pytest.fixture
def overall_timeout():
    with time_limit(OVERALL_TIMEOUT, "the browser test"):
        yield


@pytest.fixture
def student_folder(tmp_path):
    """What a student unpacks: the release notebook, the data, the lineup, em_grading.py."""
    folder = tmp_path / "student"
    shutil.copytree(ROOT / "release" / ASSIGNMENT, folder,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    for path in [DATA, DATA.with_name("lineup.png"), DATA.with_name("em_grading.py")]:
        if not path.exists():
            pytest.fail(f"{path} is missing: run `make data` first")
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def lab(student_folder, tmp_path, overall_timeout):
    server = LabServer(student_folder, tmp_path / "jupyter")
    yield server
    server.stop()


@pytest.fixture
def page(lab, tmp_path, request):
    sync_playwright = require_browser()
    with sync_playwright() as playwright:
        context = launch_chromium(playwright, tmp_path / "chromium-profile")
        context.set_default_timeout(120_000)
        page = context.new_page()
        try:
            yield page
        finally:
            # What the page showed last, also when the test failed half-way.
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"last_page_{request.node.name}.png"))
            context.close()


def index_of(nb):
    """grade_id -> the cell's position in the notebook (and so on the page)."""
    return {notebook_cells.nbgrader_meta(c)["grade_id"]: i for i, c in enumerate(nb.cells)
            if notebook_cells.nbgrader_meta(c).get("grade_id")}


def errors(cell):
    return [o["text"] for o in cell["outputs"] if "Error" in o["text"] and "Traceback" in o["text"]]


def describe(cells, i):
    cell = cells[i]
    return f"cell {i} (prompt {cell['prompt']!r}) outputs: {[o['text'][:400] for o in cell['outputs']]}"


def screenshot_notebook(page, nb_page, path):
    """The whole notebook in one picture: the window made as tall as the notebook."""
    height = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) *')].map(e => e.scrollHeight))""")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 200, 16000)})
    nb_page.cell(0).scroll_into_view_if_needed()
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def test_student_in_jupyterlab(page, lab, student_folder, source_nb):
    release = notebook_cells.read(RELEASE_NB)
    where = index_of(release)
    reference = notebook_cells.reference_code(source_nb)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shots = {}

    nb = NotebookPage(page, lab, NOTEBOOK)  # waits until the kernel has been idle once
    kernel = nb.kernel_status()
    # The kernel's name, and a state: JupyterLab may keep it busy for a moment after start-up.
    assert re.fullmatch(r"Python 3 \(ipykernel\) \| (Idle|Busy)", kernel), (
        f"the notebook's kernel: expected 'Python 3 (ipykernel) | Idle' (or Busy), the status bar "
        f"shows {kernel!r}")
    nb.wait_for_kernel_idle()
    assert page.locator(".jp-Dialog").count() == 0, (
        f"a dialog opened with the notebook: {page.locator('.jp-Dialog').inner_text()}")

    # 1. The stubs, run all: everything up to the first test cell works, then a clear error.
    first_test = where["calculate_log_probability_visible"]
    nb.menu("Run", "Run All Cells")
    nb.wait_until_ran(first_test, RUN_TIMEOUT)
    cells = nb.cells()
    for i in range(first_test):
        assert not errors(cells[i]), f"step 1, run all on the release: {describe(cells, i)}"
        if cells[i]["kind"] == "code":
            assert cells[i]["prompt"] not in ("[ ]:", ""), f"step 1: did not run: {describe(cells, i)}"
    assert "(100, 200, 1000)" in cells[where["data_shape"]]["outputs"][0]["text"], (
        f"step 1, the data's shape: {describe(cells, where['data_shape'])}")
    example = [im for im in cells[where["example_image"]]["images"] if im["width"] > 0]
    assert example, f"step 1, the example image: no image shown; {describe(cells, where['example_image'])}"
    lineup = [im for c in cells for im in c["images"] if "lineup.png" in im["src"]]
    assert lineup and lineup[0]["width"] > 0, f"step 1, the lineup: expected lineup.png shown, got {lineup}"
    assert any(STUB_ERROR in e for e in errors(cells[first_test])), (
        f"step 1, the first visible test on the stub: expected {STUB_ERROR}; {describe(cells, first_test)}")
    for function in FUNCTIONS[1:]:
        # Run all stopped at the first error: run the stub's cell, then its test, as a student would.
        nb.run_cell(where[function])
        test = where[f"{function}_visible"]
        nb.run_cell(test)
        nb.wait_until_ran(test, RUN_TIMEOUT)
        cells = nb.cells()
        stub_errors = [e for e in errors(cells[test]) if STUB_ERROR in e]
        assert stub_errors and function in stub_errors[0], (
            f"step 1, {function}'s visible test on the stub: expected a {STUB_ERROR} "
            f"raised in {function}; {describe(cells, test)}")

    # The answer cells say which variable to assign, as JupyterLab shows them.
    for gid, variable in zip(ANSWERS, ANSWER_VARIABLES):
        nb.cell(where[gid]).scroll_into_view_if_needed()
        shown = nb.cell(where[gid]).locator(".jp-InputArea-editor").inner_text()
        assert f"to {variable} (a string)" in shown, (
            f"step 1, the {gid} cell: expected it to say 'to {variable} (a string)', it shows {shown!r}")

    # 2. The reference solution pasted into the solution cells, restart and run all.
    for gid in FUNCTIONS + ANSWERS:
        nb.set_cell_text(where[gid], reference[gid])
    nb.save()
    saved = notebook_cells.cells_by_id(notebook_cells.read(student_folder / NOTEBOOK))
    for gid in FUNCTIONS + ANSWERS:
        assert saved[gid].source == reference[gid], (
            f"step 2, the text typed into {gid}: expected the reference\n{reference[gid]}\n"
            f"got\n{saved[gid].source}")
    nb.menu("Edit", "Clear Outputs of All Cells")
    nb.menu("Kernel", "Restart Kernel and Run All Cells…")
    page.locator(".jp-Dialog").get_by_role("button", name="Confirm Kernel Restart").click()
    last = len(release.cells) - 1
    nb.wait_until_ran(last, RUN_TIMEOUT)
    cells = nb.cells()
    for i, cell in enumerate(cells):
        assert not errors(cell), f"step 2, run all with the reference solution: {describe(cells, i)}"
        assert not [o for o in cell["outputs"] if "stderr" in o["mime"]], (
            f"step 2, nothing on stderr: {describe(cells, i)}")
        if cell["kind"] == "code":
            assert cell["prompt"] not in ("[ ]:", ""), f"step 2: did not run: {describe(cells, i)}"
    for gid, i in where.items():
        if "_hidden" in gid:  # run by the student, a hidden-test cell says its checks come later
            shown = "".join(o["text"] for o in cells[i]["outputs"]).strip().splitlines()
            assert len(shown) == 1 and shown[0].startswith(HIDDEN_LINE), (
                f"step 2, {gid}: expected one line starting {HIDDEN_LINE!r}; {describe(cells, i)}")
        if gid.endswith(("_visible", "_loops")):
            assert "OK" in "".join(o["text"] for o in cells[i]["outputs"]), (
                f"step 2, {gid}: expected it to print OK; {describe(cells, i)}")
    schedule = cells[where["schedule"]]
    faces = [im for im in schedule["images"] if im["width"] > 0]
    assert len(faces) == 1, (
        f"step 2, the faces EM found: expected one figure, got {len(faces)}; "
        f"{describe(cells, where['schedule'])}")
    progress = "".join(o["text"] for o in schedule["outputs"])
    stages = [f"{n:5d} images" for n in (50, 100, 300, 500, 1000)]
    assert all(stage in progress for stage in stages) and "running EM" not in progress, (
        f"step 2, the schedule's progress: expected a line for each of {stages} and nothing "
        f"still running, got {progress!r}")
    assert [im for im in cells[where["background"]]["images"] if im["width"] > 0], (
        f"step 2, the background: no figure; {describe(cells, where['background'])}")
    shots["notebook after step 2"] = ARTIFACTS / "notebook_solved.png"
    screenshot_notebook(page, nb, shots["notebook after step 2"])
    shots["the faces EM found (step 2)"] = ARTIFACTS / "faces.png"
    nb.cell(where["schedule"]).screenshot(path=str(shots["the faces EM found (step 2)"]))

    # 3. Validate: success, then with calculate_lower_bound broken, the failing check.
    dialog = nb.validate(RUN_TIMEOUT)
    text = dialog.inner_text()
    shots["Validate, reference solution"] = ARTIFACTS / "validate_success.png"
    page.screenshot(path=str(shots["Validate, reference solution"]))
    assert "Success! Your notebook passes all the tests." in text, (
        f"step 3, Validate with the reference solution: expected success, got\n{text}")
    dialog.get_by_role("button").last.click()
    dialog.wait_for(state="detached")

    entry = next(e for e in corpus.entries(source_nb) if e.name == "lb_no_entropy")
    nb.set_cell_text(where["calculate_lower_bound"], entry.cells["calculate_lower_bound"])
    dialog = nb.validate(RUN_TIMEOUT)
    text = dialog.inner_text()
    shots["Validate, calculate_lower_bound broken"] = ARTIFACTS / "validate_failure.png"
    page.screenshot(path=str(shots["Validate, calculate_lower_bound broken"]))
    expected = "AssertionError: calculate_lower_bound(tX, tF, tB, ts, ta, tq) is wrong."
    assert "The following cell failed" in text and expected in text, (
        f"step 3, Validate with no entropy term in calculate_lower_bound: expected a failure "
        f"with {expected!r}, got\n{text}")
    # The message is at the end of the dialog's scrolling traceback box: scroll there too.
    dialog.locator("pre, .jp-Dialog-body *").last.evaluate(
        "e => { for (let n = e; n; n = n.parentElement) n.scrollTop = n.scrollHeight; }")
    shots["Validate, the failing check's message"] = ARTIFACTS / "validate_failure_message.png"
    page.screenshot(path=str(shots["Validate, the failing check's message"]))

    dialog.get_by_role("button").last.click()
    dialog.wait_for(state="detached")

    # 4. A slow but correct run_EM: the faces appear stage by stage while the cell still runs.
    nb.set_cell_text(where["calculate_lower_bound"], reference["calculate_lower_bound"])
    nb.set_cell_text(where["run_EM"], reference["run_EM"] + SLOW_RUN_EM)
    for gid in ["calculate_lower_bound", "run_EM", "schedule"]:
        nb.run_cell(where[gid])
    try:
        page.wait_for_function(FACE_WHILE_RUNNING_JS, arg=where["schedule"], timeout=RUN_TIMEOUT * 1000)
    except Exception as error:
        cells = nb.cells()
        raise AssertionError(f"step 4, a slow run_EM: expected a face while the schedule cell still "
                             f"runs; {describe(cells, where['schedule'])}") from error
    shots["a slow solution, faces while EM runs (step 4)"] = ARTIFACTS / "faces_while_running.png"
    nb.cell(where["schedule"]).screenshot(path=str(shots["a slow solution, faces while EM runs (step 4)"]))
    nb.wait_until_ran(where["schedule"], RUN_TIMEOUT)
    cells = nb.cells()
    assert not errors(cells[where["schedule"]]), f"step 4: {describe(cells, where['schedule'])}"

    report = "\n".join(f"{what}: {path}" for what, path in shots.items())
    REPORTS.append(("browser screenshots (tests/test_browser.py)", report))
    print(report)


@pytest.fixture
def solved_folder(student_folder, source_nb):
    """The student's folder with the reference solution in the notebook."""
    reference = notebook_cells.reference_code(source_nb)
    solved = notebook_cells.make_submission(notebook_cells.read(RELEASE_NB),
                                       {gid: reference[gid] for gid in FUNCTIONS + ANSWERS})
    notebook_cells.write(solved, student_folder / NOTEBOOK)
    return student_folder


def test_validate_in_notebook7(solved_folder, page, lab):
    """Notebook 7 has the Validate button too, and it passes the reference solution."""
    nb = NotebookPage(page, lab, NOTEBOOK, interface="notebooks")
    dialog = nb.validate(RUN_TIMEOUT)
    text = dialog.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "notebook7_validate.png"
    page.screenshot(path=str(shot))
    assert "Success! Your notebook passes all the tests." in text, (
        f"Validate in Notebook 7 with the reference solution: expected success, got\n{text}")
    REPORTS.append(("browser screenshot (Notebook 7)", f"Validate in Notebook 7: {shot}"))
    print(shot)


# The readers' HTML (grading/render/reader_html.py), opened from file with the network cut off.
READER_HTML = SOLUTION_NB.with_suffix(".html")
# Each fraction in the page's MathML: the numerator's box, the denominator's box and the
# line's height, as the browser laid them out.
FRACTIONS_JS = """math => [...math.querySelectorAll('mfrac')].map(f => {
    const [top, bottom] = [...f.children].map(c => c.getBoundingClientRect());
    return {top_bottom: top.bottom, bottom_top: bottom.top, top_height: top.height,
            bottom_height: bottom.height};
})"""


def test_solution_html_reads_offline(tmp_path):
    """The solution's HTML, opened from file with every request blocked: formulas and lineup show.

    The page must ask for nothing outside itself: the formulas are MathML, every image is
    data in the page. Chromium is set offline and every request routed: any that is not the
    page's own file is refused and recorded.
    """
    if not READER_HTML.exists():
        pytest.fail(f"{READER_HTML} is missing: run `make solutions`")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sync_playwright = require_browser()
    attempted = []

    def refuse(route):
        url = route.request.url
        if url == READER_HTML.as_uri():
            route.continue_()
        else:
            attempted.append(url)
            route.abort("internetdisconnected")

    with sync_playwright() as playwright:
        context = launch_chromium(playwright, tmp_path / "chromium-profile", width=1200, height=900)
        try:
            context.set_offline(True)
            context.route("**/*", refuse)
            page = context.new_page()
            page.on("request", lambda request: None if request.url.startswith(("data:", "file:"))
                    else attempted.append(request.url))
            page.goto(READER_HTML.as_uri(), wait_until="load")
            assert not attempted, f"the page asked the network for {sorted(set(attempted))}"

            # A formula with a fraction (the E-step's posterior), laid out as math.
            assert page.locator("math").count() > 50, "expected the notebook's formulas as MathML"
            formula = page.locator("math[display='block']", has=page.locator("mfrac")).first
            formula.scroll_into_view_if_needed()
            box = formula.bounding_box()
            fractions = formula.evaluate(FRACTIONS_JS)
            shots = {"a formula (MathML)": ARTIFACTS / "reader_formula.png",
                     "the lineup": ARTIFACTS / "reader_lineup.png"}
            formula.screenshot(path=str(shots["a formula (MathML)"]))
            assert box and box["width"] > 100 and box["height"] > 20, (
                f"the first displayed formula with a fraction is not laid out as math: its box is {box}")
            stacked = [f for f in fractions if f["top_height"] > 0 and f["bottom_height"] > 0
                       and f["top_bottom"] <= f["bottom_top"] + 1]
            assert fractions and len(stacked) == len(fractions), (
                f"fractions not drawn as fractions (numerator above denominator): {fractions}")
            shown = page.locator("main").inner_text()
            assert "$" not in shown, "TeX left unconverted on the page: a '$' is shown"

            # The lineup: an image embedded in the page, loaded.
            lineup = page.locator("img[alt^='The lineup: ']")
            lineup.scroll_into_view_if_needed()
            width = lineup.evaluate("img => img.complete ? img.naturalWidth : 0")
            lineup.screenshot(path=str(shots["the lineup"]))
            assert width > 0, "the lineup image did not load"

            # Test cells folded: each a closed <details>, its code not shown until opened.
            folded = page.locator("details.test-cell")
            graded_tests = [c for c in notebook_cells.read(SOLUTION_NB).cells
                            if notebook_cells.nbgrader_meta(c).get("grade")
                            and not notebook_cells.nbgrader_meta(c).get("solution")]
            assert folded.count() == len(graded_tests) > 0, (
                f"expected each of the {len(graded_tests)} test cells folded, found {folded.count()}")
            assert page.locator("details.test-cell[open]").count() == 0
            assert "Hidden test" not in shown, "a hidden test's code is shown unfolded"
            assert not attempted, f"the page asked the network for {sorted(set(attempted))}"
        finally:
            context.close()
    report = "\n".join(f"{what}: {path}" for what, path in shots.items())
    REPORTS.append(("the solution's HTML offline (tests/test_browser.py)", report))
    print(report)
