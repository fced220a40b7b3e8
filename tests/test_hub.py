"""The whole course cycle on a JupyterHub, in a real browser (Debian's chromium, Playwright).

hub/hubctl.py sets up a hub of the test's own (Unix users empt-*, an exchange and a state
folder under /var/tmp, a free port on 127.0.0.1) from the hub's environment (make hub-env),
and removes all of it afterwards. Then:

1. the instructor releases the assignment (``nbgrader release_assignment``);
2. four students log in through the hub's login page, open Nbgrader > Assignment List,
   press Fetch, fill the notebook (written as the student: the reference, the demo's
   mistakes, nothing, and the reference with code the scan holds for review), press
   Validate and Submit; one submits twice, the mistakes first and the reference later;
3. the instructor collects (``nbgrader collect``) and grades (``python -m grading.run``);
4. the instructor opens Nbgrader > Formgrader in JupyterLab (the formgrader in a frame, which
   JupyterHub 5's default policy would refuse); in the formgrader the instructor opens the
   held submission, sees why its points are held, gives full credit back; the total in the
   formgrader and ``nbgrader export`` rise;
5. the instructor generates and releases feedback; each student presses Fetch Feedback and
   gets their own feedback, and nobody else's; no student can list the exchange's inbound
   or feedback folders, nor read another student's notebook in their home.

Screenshots of each step go to build/hub/.
"""
import csv
import io
import json
import os
import pathlib
import pwd
import re
import tempfile
import time

import nbformat
import pytest

from support.browser import CHROMIUM, CHROMIUM_ARGS, require_browser, time_limit
from support import ASSIGNMENT, NOTEBOOK, REPORTS, ROOT
from coursetools import notebook_cells

from hostile_cases import insert_after
from coursetools.servers import free_port
from hub import hubctl
from support.hub import HubServer

pytestmark = pytest.mark.slow
SHOTS = ROOT / "build" / "hub"
OVERALL_TIMEOUT = 600  # seconds; the cycle takes about 2 to 3 minutes
INSTRUCTOR = "empt-teacher"
# student -> what they hand in (their last submission)
PLAN = {"empt-ada": "reference", "empt-bob": "mistakes", "empt-cy": "untouched", "empt-dee": "held"}
TWICE = "empt-ada"  # submits the mistakes first, the reference later: the later one is graded
HELD_CODE = "import gc\ngc.collect()  # free memory"  # after the last answer: its test and the bonus cells are held


@pytest.fixture(scope="module")
def hub():
    try:
        hubctl.require_environment()
    except hubctl.HubError as error:
        pytest.fail(str(error))
    if not (ROOT / "source" / ASSIGNMENT / "data_em.npy").exists():
        pytest.fail("source/em_prankster/data_em.npy is missing: run `make data` first")
    state_dir = tempfile.mkdtemp(prefix="em-prankster-hub-test-", dir="/var/tmp")
    names = [INSTRUCTOR, *PLAN]
    for name in names:
        try:
            pwd.getpwnam(name)
            pytest.fail(f"the Unix user {name} exists already (a previous run's leftover?): "
                        f"remove it with `userdel --remove {name}`")
        except KeyError:
            pass
    state = hubctl.up(state_dir, free_port(), INSTRUCTOR, list(PLAN))
    server = None
    try:
        start = time.perf_counter()
        server = HubServer(state)
        REPORTS.append(("hub", f"JupyterHub started in {time.perf_counter() - start:.1f} s"))
        yield server
    finally:
        if server:
            server.stop()
        hubctl.down(state)
        left = hubctl.user_pids(names)
        gone = [n for n in names if _exists(n)]
        assert not left and not gone and not os.path.exists(state_dir), (
            f"clean-up left processes {left}, users {gone} or {state_dir}")


def _exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="module")
def timeout():
    with time_limit(OVERALL_TIMEOUT, "the hub test"):
        yield


def home(name):
    return pathlib.Path(pwd.getpwnam(name).pw_dir)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(browser, hub, name):
    """A browser context of its own for ``name``, logged in, on their JupyterLab."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", hubctl.passwords(hub.state)[name])
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{name}/lab"), timeout=120_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").first.wait_for()
    return page


def nbgrader_menu(page):
    """Open the Nbgrader menu; return its items' labels (the menu stays open)."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").first.click()
    items = page.locator(".lm-Menu-content .lm-Menu-itemLabel")
    items.first.wait_for()
    return [items.nth(i).inner_text() for i in range(items.count())]


def open_assignments(page):
    labels = nbgrader_menu(page)
    page.locator(".lm-Menu-content .lm-Menu-itemLabel").get_by_text("Assignment List", exact=True).click()
    page.locator("#released_assignments_list").wait_for()
    return labels


def assignment_item(page, status):
    return page.locator(f"#{status}_assignments_list .list_item:not(.nested_list_item)",
                        has_text=ASSIGNMENT).first


def fetch(page, name):
    """Fetch the assignment; return the Nbgrader menu's items."""
    labels = open_assignments(page)
    item = assignment_item(page, "released")
    item.get_by_role("button", name="Fetch").click()
    assignment_item(page, "fetched").wait_for()
    shot(page, f"02_fetched_{name}")
    return labels


def validate(page, name, suffix=""):
    """Expand the fetched assignment, press the notebook's Validate; return the dialog's text."""
    item = assignment_item(page, "fetched")
    if not item.locator(".assignment-notebooks.in").count():
        item.locator(".assignment-notebooks-link").click()
    item.get_by_role("button", name="Validate").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=180_000)
    text = dialog.inner_text()
    shot(page, f"03_validate_{name}{suffix}")
    dialog.get_by_role("button", name="Ok").click()
    dialog.wait_for(state="detached")
    return text


def submit(page, name, count, suffix=""):
    assignment_item(page, "fetched").get_by_role("button", name="Submit").click()
    page.wait_for_function(
        """([n]) => document.querySelectorAll('#submitted_assignments_list .nested_list_item').length >= n""",
        arg=[count], timeout=60_000)
    (SHOTS / f"submitted_list_{name}{suffix}.html").write_text(
        page.locator("#submitted_assignments_list").inner_html())
    shot(page, f"04_submitted_{name}{suffix}")


def gradebook_row(page, hub, student):
    """(overall score, needs manual grade) of ``student`` in the formgrader's notebook page."""
    page.goto(f"{hub.url}/user/{INSTRUCTOR}/formgrader/gradebook/{ASSIGNMENT}/{ASSIGNMENT}")
    page.locator("#toggle_names").click()
    row = page.locator("tr").filter(has=page.locator("a.name-shown", has_text=student))
    row.wait_for()
    score = row.locator("td.score").inner_text()
    return float(score.split("/")[0]), row.locator("td.needs-manual-grade").get_attribute("data-search")


def notebook_for(kind, fetched_nb):
    """The notebook a student hands in: from demo/submitted, or the reference with flagged code."""
    if kind == "held":
        reference = notebook_cells.read(ROOT / "demo" / "submitted" / "reference" / ASSIGNMENT / NOTEBOOK)
        return insert_after(reference, "answer_location", HELD_CODE)
    return notebook_cells.read(ROOT / "demo" / "submitted" / kind / ASSIGNMENT / NOTEBOOK)


def hand_in(name, kind):
    path = home(name) / ASSIGNMENT / NOTEBOOK
    nb = notebook_for(kind, notebook_cells.read(path))
    hubctl.write_as(name, path, json.dumps(nb))


def instructor(hub, *cmd, timeout=600):
    return hubctl.run_as(INSTRUCTOR, list(cmd), cwd=hub.state["course"], timeout=timeout)


def exported(hub):
    """{student: score} from `nbgrader export` in the instructor's course."""
    out = pathlib.Path(hub.state["course"]) / "grades.csv"
    instructor(hub, "nbgrader", "export", "--to", str(out), "--log-level=WARN")
    return {row["student_id"]: float(row["score"]) for row in csv.DictReader(io.StringIO(out.read_text()))}


@pytest.fixture(scope="module")
def cycle(hub, timeout):
    """Run the cycle; return what it saw, for the tests below to check."""
    sync_playwright = require_browser()
    seen = {"validate": {}, "timings": {}, "menus": {}}
    start = time.perf_counter()

    def lap(what):
        seen["timings"][what] = round(time.perf_counter() - start, 1)

    instructor(hub, "nbgrader", "release_assignment", ASSIGNMENT, "--log-level=WARN")
    lap("released")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            pages = {}
            for i, (name, kind) in enumerate(PLAN.items()):
                page = pages[name] = log_in(browser, hub, name)
                if i == 0:
                    shot(page, f"01_logged_in_{name}")
                seen["menus"][name] = fetch(page, name)
                if name == TWICE:
                    hand_in(name, "mistakes")
                    seen["validate"][f"{name} (first)"] = validate(page, name, "_first")
                    submit(page, name, 1, "_first")
                    time.sleep(1.1)  # a later timestamp
                hand_in(name, kind)
                seen["validate"][name] = validate(page, name)
                submit(page, name, 2 if name == TWICE else 1)
            lap("students submitted")
            seen["student_formgrader_status"] = pages["empt-bob"].evaluate(
                "async (url) => (await fetch(url)).status",
                f"{hub.url}/user/empt-bob/formgrader")

            instructor(hub, "nbgrader", "collect", ASSIGNMENT, "--log-level=WARN")
            course = pathlib.Path(hub.state["course"])
            seen["collected"] = {name: (course / "submitted" / name / ASSIGNMENT / NOTEBOOK).read_text()
                                 for name in PLAN}
            grading = instructor(hub, "python", "-m", "grading.run.parallel", ASSIGNMENT, "--workers", "2")
            seen["summary"] = grading.stdout
            lap("collected and graded")
            seen["export_before"] = exported(hub)

            teacher = log_in(browser, hub, INSTRUCTOR)
            seen["menus"][INSTRUCTOR] = nbgrader_menu(teacher)
            # the README's route: Nbgrader > Formgrader, shown in a frame of JupyterLab
            teacher.locator(".lm-Menu-content .lm-Menu-itemLabel").get_by_text("Formgrader", exact=True).click()
            frame = teacher.frame_locator("iframe[src*='formgrader']").first
            frame.locator("#main-table tr", has_text=ASSIGNMENT).first.wait_for(timeout=60_000)  # its scripts ran
            seen["formgrader_in_lab"] = frame.locator("body").inner_text()
            shot(teacher, "05_formgrader_in_jupyterlab")
            seen["formgrader_csp"] = teacher.request.get(
                f"{hub.url}/user/{INSTRUCTOR}/formgrader/manage_assignments").headers.get("content-security-policy", "")
            seen["before"] = gradebook_row(teacher, hub, "empt-dee")
            shot(teacher, "05_formgrader_needs_review")
            link = teacher.locator("tr").filter(has=teacher.locator("a.name-shown", has_text="empt-dee")) \
                .locator("a.name-shown").get_attribute("href")
            teacher.goto(f"{hub.url}{link}")  # the row's link to the submission
            teacher.locator(".full-credit").first.wait_for()
            held = teacher.locator(".code_cell").filter(has_text="held for the instructor's review") \
                .filter(has=teacher.locator(".full-credit"))
            seen["held_page"] = teacher.locator("body").inner_text()
            seen["held_cells"] = held.count()
            shot(teacher, "06_formgrader_held_submission")
            for i in range(held.count()):
                with teacher.expect_response(lambda r: "/api/grade/" in r.url
                                             and r.request.method == "PUT") as saved:
                    held.nth(i).locator(".full-credit").click()
                assert saved.value.ok, f"the formgrader did not save a score: {saved.value.status}"
            shot(teacher, "07_formgrader_full_credit_given")
            seen["after"] = gradebook_row(teacher, hub, "empt-dee")
            shot(teacher, "08_formgrader_after_review")
            seen["export_after"] = exported(hub)
            lap("reviewed in the formgrader")

            instructor(hub, "nbgrader", "generate_feedback", ASSIGNMENT, "--force", "--log-level=WARN")
            instructor(hub, "nbgrader", "release_feedback", ASSIGNMENT, "--log-level=WARN")
            lap("feedback released")
            seen["feedback"] = {}
            for name in PLAN:
                page = pages[name]
                page.reload()
                open_assignments(page)
                item = assignment_item(page, "submitted")
                item.get_by_role("button", name="Fetch Feedback").first.click()
                item.get_by_text("(view feedback)").first.wait_for(timeout=60_000)
                shot(page, f"09_feedback_fetched_{name}")
                files = sorted(p for p in (home(name) / ASSIGNMENT / "feedback").rglob("*.html"))
                seen["feedback"][name] = [(str(p.relative_to(home(name))), p.read_text(errors="replace"))
                                          for p in files]
                if files:
                    page.goto(f"{hub.url}/user/{name}/files/{files[0].relative_to(home(name))}")
                    shot(page, f"10_feedback_{name}")
            lap("feedback fetched")
            seen["listing"] = {}
            for name in PLAN:
                for folder in ("inbound", "feedback"):
                    proc = hubctl.run_as(name, ["ls", f"{hub.state['exchange']}/em-prankster/{folder}"],
                                         check=False)
                    seen["listing"][(name, folder)] = (proc.returncode, proc.stdout + proc.stderr)
                other = next(o for o in PLAN if o != name)  # and another student's fetched notebook
                proc = hubctl.run_as(name, ["cat", str(home(other) / ASSIGNMENT / NOTEBOOK)], check=False)
                seen["listing"][(name, f"~{other}")] = (proc.returncode, proc.stdout[:200] + proc.stderr)
        finally:
            browser.close()
    seen["total"] = round(time.perf_counter() - start, 1)
    REPORTS.append(("hub cycle", f"the course cycle through the hub took {seen['total']} s: "
                    f"{seen['timings']}; screenshots in {SHOTS}"))
    return seen


def test_students_have_no_formgrader(cycle):
    assert cycle["student_formgrader_status"] == 404, cycle["student_formgrader_status"]
    menus = cycle["menus"]
    assert "Formgrader" in menus[INSTRUCTOR] and "Assignment List" in menus[INSTRUCTOR], menus
    for name in PLAN:
        assert "Assignment List" in menus[name] and "Formgrader" not in menus[name], (name, menus[name])


def test_the_formgrader_opens_inside_jupyterlab(cycle):
    """JupyterHub 5 forbids framing its servers' pages (frame-ancestors 'none', nbgrader issue
    1870); the formgrader's own pages allow their own origin (grading/render/formgrader_guard.py)."""
    assert "Manage Assignments" in cycle["formgrader_in_lab"] and ASSIGNMENT in cycle["formgrader_in_lab"]
    policy = cycle["formgrader_csp"]
    assert "frame-ancestors 'self'" in policy and "script-src 'nonce-" in policy, policy


def test_validate_says_what_the_notebook_deserves(cycle):
    v = cycle["validate"]
    for name in ("empt-ada", "empt-dee"):
        assert "Success! Your notebook passes all the tests." in v[name], v[name]
    for name in ("empt-bob", f"{TWICE} (first)"):
        assert "failed" in v[name].lower() and "Success!" not in v[name], v[name]
    assert "NotImplementedError" in v["empt-cy"], v["empt-cy"]


def test_the_later_submission_is_collected_and_graded(cycle):
    assert HELD_CODE.splitlines()[0] in cycle["collected"]["empt-dee"]
    sources = lambda nb: [cell.source for cell in nbformat.reads(nb, as_version=4).cells]  # noqa: E731
    reference = (ROOT / "demo" / "submitted" / "reference" / ASSIGNMENT / NOTEBOOK).read_text()
    assert sources(cycle["collected"][TWICE]) == sources(reference)
    before = cycle["export_before"]
    assert before["empt-ada"] == 104, before
    assert 0 < before["empt-bob"] < 100 and before["empt-cy"] < before["empt-bob"], before


def test_held_submission_is_reviewed_in_the_formgrader(cycle):
    summary_line = next(line for line in cycle["summary"].splitlines() if "empt-dee" in line)
    assert "held for review" in summary_line, summary_line
    assert "held for the instructor's review, because of code in" in cycle["held_page"]
    assert cycle["held_cells"] > 0, "no held cell in the formgrader"
    before, after = cycle["export_before"], cycle["export_after"]
    assert before["empt-dee"] < 100 <= after["empt-dee"], (before, after)
    assert {k: v for k, v in after.items() if k != "empt-dee"} == \
        {k: v for k, v in before.items() if k != "empt-dee"}
    assert cycle["before"] == (before["empt-dee"], "needs manual grade"), cycle["before"]
    assert cycle["after"] == (after["empt-dee"], ""), cycle["after"]


def test_each_student_gets_only_their_own_feedback(cycle):
    scores = cycle["export_after"]
    for name, files in cycle["feedback"].items():
        assert len(files) == 1, f"{name} fetched {len(files)} feedback files: {[f for f, _ in files]}"
        path, html = files[0]
        assert path.endswith(f"{ASSIGNMENT}.html"), path
        assert f"Score: {scores[name]:g}" in html or f"{scores[name]:g} / 100" in html, (name, scores[name])
        others = [o for o in PLAN if o != name]
        assert not any(o in html for o in others), f"{name}'s feedback names another student"


def test_students_cannot_list_the_exchange_nor_read_each_others_homes(cycle):
    assert len(cycle["listing"]) == 3 * len(PLAN)
    for (name, folder), (code, out) in cycle["listing"].items():
        assert code != 0 and "Permission denied" in out, (name, folder, code, out)
