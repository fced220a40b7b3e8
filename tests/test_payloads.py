"""Nothing a student hands in runs in the instructor's browser (issue 19), in chromium.

A student, ``mallory``, hands in the reference solution with every payload of tests/payloads.py
(scripts, event handlers, javascript: links, frames, objects, a refresh, a form, SVG, markdown,
a widget view, attachments, and more of the usual vectors; each also tries to raise the
student's grade through the formgrader's API) and two files beside the notebook, an .html
page and an SVG. The course grades the class (``python -m grading.run``) and makes the
feedback; a graded cell whose grade_id and tags carry HTML, and widget state, are then added
to the autograded notebook, as a grading path without the course's rebuild would leave them.
A JupyterLab of the course (this environment: nbgrader's extensions and the course's
``grading.render.formgrader_guard``) serves it, and chromium opens, as the instructor, every page
the instructor reaches with the student's work: the formgrader's lists, the submission view
(the manual grading view) directly and inside JupyterLab's Nbgrader > Formgrader, the
handed-in files through the formgrader and through ``/files/``, the feedback in a tab and in
JupyterLab's HTML viewer with "Trust HTML" pressed, the autograded notebook in JupyterLab and
through ``/nbconvert/``. Each payload that runs reports to a listener of the test's own.

Checked: no payload ran on any page; the gradebook is unchanged; the honest content shows
(figures, formulas as MathML, a pandas table, a traceback, and the formgrader's grading
controls); the handed-in files were left out and the summary lists them. And the suite can
fail: the same notebook rendered by plain nbconvert, and the handed-in page as submitted,
served from the listener, do report their payloads.

The table (page x payloads that ran) and the test's time are printed at the end of the run;
``python tests/payloads.py --code <checkout>`` prints it for another checkout (before a change).
"""
import shutil
import sys
import time

import pytest

import payloads
from support.browser import LabServer, require_browser, time_limit
from support import ASSIGNMENT, NOTEBOOK, REPORTS, ROOT
pytestmark = pytest.mark.slow
OVERALL_TIMEOUT = 600  # seconds; it takes about two minutes
# The issue's five notebook forms: the raw rendering must report them, or the check is vacuous.
ISSUE_FORMS = {"html-script", "img-onerror", "svg-onload", "app-javascript", "markdown-cell-html"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Grade the hostile class, open every page; return what was seen."""
    sync_playwright = require_browser()
    work = tmp_path_factory.mktemp("payloads")
    listener = payloads.Listener()
    start = time.perf_counter()
    try:
        with time_limit(OVERALL_TIMEOUT, "the payload suite"):
            course, summary = payloads.prepare_course(ROOT, sys.executable, work, listener)
            prepared = time.perf_counter() - start
            raw = payloads.raw_pages(course, listener)
            listener.hits.clear()
            with LabServer(course, work / "jupyter") as server, sync_playwright() as playwright:
                table, before, after = payloads.visit(playwright, server, course, listener,
                                                      work / "profile", raw=raw)
    finally:
        listener.close()
    seconds = time.perf_counter() - start
    REPORTS.append(("payload suite", f"{payloads.format_table(table)}\n\nthe payload suite took "
                    f"{seconds:.0f} s ({prepared:.0f} s to grade the class and make the feedback)"))
    raw_names = {name for name, _ in raw}
    yield {"course": course, "summary": summary, "before": before, "after": after,
           "pages": {k: v for k, v in table.items() if k not in raw_names},
           "raw": {k: v for k, v in table.items() if k in raw_names}}
    shutil.rmtree(work, ignore_errors=True)


def test_every_page_opened(run):
    for name, (_, opened, _) in run["pages"].items():
        assert not opened.startswith("did not open"), (name, opened)
    opened = {name: how for name, (_, how, _) in run["pages"].items()}
    assert "allow-scripts" in opened["JupyterLab: feedback, Trust HTML pressed"]


def test_no_payload_runs_on_any_page_the_instructor_reaches(run):
    ran = {name: sorted(ran) for name, (ran, _, _) in run["pages"].items() if ran}
    assert not ran, f"payloads ran:\n{payloads.format_table(run['pages'])}"


def test_the_gradebook_is_unchanged(run):
    assert run["after"] == run["before"]


def test_honest_content_still_shows(run):
    pages = {name: shows for name, (_, _, shows) in run["pages"].items()}
    for name, shows in pages.items():  # the formgrader's lists, filled by its own scripts
        if name.startswith("formgrader: ") and "handed-in" not in name and "submission view" not in name:
            assert shows.get("list_rows", 0) >= 1, (name, shows)
    for name in ("formgrader: submission view (manual grading)",
                 "JupyterLab's Nbgrader > Formgrader: submission view"):
        shows = pages[name]
        assert shows["figures"] >= 2 and shows["formulas"] > 10, (name, shows)  # the faces, the MathML
        assert shows["table_cells"] == 4 and shows["traceback"] and shows["grading_ui"], (name, shows)
    # the same file as /files/: feedback, which runs no script, so the test cannot read it there
    for name in ("JupyterLab: feedback, Trust HTML pressed",):
        shows = pages[name]
        assert shows["figures"] >= 2 and shows["formulas"] > 10 and shows["table_cells"] == 4, (name, shows)
        assert shows["traceback"], (name, shows)
    shows = pages["JupyterLab: the autograded notebook (the formgrader's live link)"]
    assert shows.get("figures", 0) >= 2 and shows.get("table_cells") == 4, shows


def test_handed_in_files_are_left_out_and_listed(run):
    line = next(line for line in run["summary"].splitlines() if line.startswith(payloads.STUDENT))
    assert "left out 2 file(s) that are not the assignment's: evil.html, evil.svg" in line, line
    graded = run["course"] / "autograded" / payloads.STUDENT / ASSIGNMENT
    assert not list(graded.glob("evil.*")) and (graded / NOTEBOOK).exists()
    opened = {name: how for name, (_, how, _) in run["pages"].items()}
    assert opened["formgrader: handed-in evil.html"] == "HTTP 404"


def test_the_check_can_fail(run):
    """The same payloads, unsanitized and from another origin, report: the check is not vacuous."""
    notebook, page = run["raw"].values()
    assert ISSUE_FORMS <= notebook[0], sorted(notebook[0])
    assert len(notebook[0]) >= 15, sorted(notebook[0])
    assert page[0] == {"handed-in-html"}, page
