"""The class report (grading/run/report.py), from hand-made result records.

The fast tests read the page and the CSV as files: the grid's shares, the failure messages'
counts and links, the held, late and not graded students, the figures' names, hostile text
escaped, and the CSV's numbers the page's. The slow one opens the page in chromium, offline,
with every request refused: the figures have accessible names, a message's link reaches the
list of its students, and nothing is asked of the network or logged as an error.
"""
import csv
import re

import pytest
from bs4 import BeautifulSoup

from grading.run import record, report
from grading.run.record import CellResult, StudentResult

HOSTILE_ID = '<script>alert(1)</script>" onerror=alert(2) x="'
HOSTILE_MESSAGE = '<img src=x onerror=alert(3)> is wrong" onerror="alert(4)\nexpected: <script>'
# (grade_id, section, behaviour, points); the bonus cell has none, only extra credit
CELLS = [("run_e_step_visible", "run_e_step", "the visible test", 3),
         ("run_EM_hidden_first_bound", "run_EM", "first bound", 4),
         ("run_EM_hidden_returns", "run_EM", "returns", 4),
         ("answer_prankster_hidden", "answer_prankster", "the answer", 5),
         ("run_EM_hard", "run_EM", "hard-EM (bonus)", 0)]
FIRST_BOUND = "LL[0] of run_EM(eX, ...): the bound at that guess is wrong."


def student(name, fails=None, bonus=True, **fields):
    """A graded student's record: every cell passed but ``fails`` ({grade_id: message})."""
    fails = fails or {}
    cells = []
    for gid, section, behaviour, points in CELLS:
        failed = gid in fails or (points == 0 and not bonus)
        extra = 1.0 if points == 0 and bonus else 0.0
        cells.append(CellResult(gid, section, behaviour, 0.0 if failed else points + extra, points, extra,
                                passed=gid not in fails, reason="wrong" if gid in fails else "",
                                message=fails.get(gid, "")))
    score = sum(c.score for c in cells)
    return StudentResult(name, "em_prankster", graded=True, score=score, max_score=16.0,
                         extra_credit=sum(c.extra_credit for c in cells), seconds=fields.pop("seconds", 10.0),
                         cells=cells, **fields)


def mixed_class():
    """Seven students, one of each outcome; two share a failure whose numbers differ."""
    return [
        student("full-marks", seconds=8.0),
        student("no-bonus", bonus=False, seconds=9.0),
        student("first-bound-wrong-a", {"run_EM_hidden_first_bound": FIRST_BOUND + "\nexpected: -2466.70264\ngot: -1.2345"}),
        student("first-bound-wrong-b", {"run_EM_hidden_first_bound": FIRST_BOUND + "\nexpected: -2466.70264\ngot: 3.14159"},
                seconds_late=7500.0, late_penalty=2.0),
        student(HOSTILE_ID, {"answer_prankster_hidden": HOSTILE_MESSAGE}, seconds=95.5),
        student("held-tampering", {"run_EM_hidden_returns": ""}, held=["run_EM_hidden_returns"],
                held_because="cell 12: patched numpy.allclose"),
        record.not_graded("no-notebook", "em_prankster", "no notebook in the submission"),
    ]


@pytest.fixture
def report_of_a_mixed_class(tmp_path):
    """(soup, html, csv rows) of the report written for ``mixed_class()``."""
    report.write(tmp_path, mixed_class())
    html = (tmp_path / report.REPORT_HTML).read_text(encoding="utf-8")
    with open(tmp_path / report.REPORT_CSV, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return BeautifulSoup(html, "html.parser"), html, rows


def csv_rows(rows, kind):
    return {r["key"]: r for r in rows if r["kind"] == kind}


def test_the_grid_gives_each_cells_share_of_the_graded_students(report_of_a_mixed_class):
    soup, _, rows = report_of_a_mixed_class
    cell = lambda gid: soup.select_one(f'table.grid td[title="{gid}"]').small.get_text()
    assert cell("run_e_step_visible") == "100% (6/6)"
    assert cell("run_EM_hidden_first_bound") == "67% (4/6)"
    assert cell("run_EM_hidden_returns") == "83% (5/6)", "a held cell is not passed"
    assert cell("run_EM_hard") == "83% (5/6)", "a bonus cell that earned nothing is not passed"
    assert [th.get_text() for th in soup.select("table.grid th")] == ["run_e_step", "run_EM", "answer_prankster"]
    assert csv_rows(rows, "cell")["run_EM_hidden_first_bound"] == {
        "kind": "cell", "key": "run_EM_hidden_first_bound", "detail": "run_EM: first bound",
        "value": "4", "total": "6", "share": "0.6667"}


def test_a_failure_is_counted_once_per_message_whatever_its_numbers_and_links_to_its_students(report_of_a_mixed_class):
    soup, _, rows = report_of_a_mixed_class
    messages = csv_rows(rows, "message")
    assert messages["msg-1"]["detail"] == f"run_EM: {FIRST_BOUND}" and messages["msg-1"]["value"] == "2"
    assert sorted(m["value"] for m in messages.values()) == ["1", "1", "2"]
    first = soup.select("#messages ~ table")[0].select("tbody tr")[0]
    assert first.td.get_text() == "2" and first.a.get_text() == FIRST_BOUND
    listed = soup.select_one(first.a["href"])
    assert listed.name == "ul" and listed.find_parent("details")["id"] == "msg-1"
    assert [li.get_text() for li in listed.select("li")] == ["first-bound-wrong-a", "first-bound-wrong-b"]
    held = next(m for m in messages.values() if m["detail"].startswith("run_EM: wrong"))
    assert held["value"] == "1", "a cell with no message is grouped by its reason"


def test_held_late_and_not_graded_students_are_listed_with_why(report_of_a_mixed_class):
    soup, _, rows = report_of_a_mixed_class
    text = lambda section: soup.select_one(f"#{section} + table").get_text(" ")
    assert "held-tampering" in text("held") and "cell 12: patched numpy.allclose" in text("held")
    assert "first-bound-wrong-b" in text("late") and "2 h 5 min" in text("late")
    assert "no-notebook" in text("not-graded") and "no notebook in the submission" in text("not-graded")
    assert csv_rows(rows, "late")["first-bound-wrong-b"]["detail"] == "2"
    assert csv_rows(rows, "late")["first-bound-wrong-b"]["value"] == "7500.0"
    assert csv_rows(rows, "held")["held-tampering"]["value"] == "1"
    assert [r["detail"] for r in rows if r["kind"] == "seconds" and r["key"] == "slowest"][0] == HOSTILE_ID
    students = csv_rows(rows, "students")
    assert {k: students[k]["value"] for k in students} == {
        "in class": "7", "graded": "6", "not graded": "1", "held for review": "1", "late": "1"}


def test_hostile_ids_and_messages_are_shown_as_text(report_of_a_mixed_class):
    soup, html, _ = report_of_a_mixed_class
    assert not re.search(r"<script", html, re.I), "no script element, the student's or any"
    assert "<img" not in html, "the message's tag shown as text"
    assert not [e for e in soup.find_all(True) if any(a.lower().startswith("on") for a in e.attrs)]
    assert HOSTILE_ID in soup.get_text() and HOSTILE_MESSAGE.splitlines()[0] in soup.get_text()
    first = soup.head.find(True)
    assert first.name == "meta" and first["content"] == report.CSP


def test_the_figures_are_named_with_their_numbers(report_of_a_mixed_class):
    soup, _, _ = report_of_a_mixed_class
    figures = soup.select('svg[role="img"]')
    names = [soup.select_one(f'#{f["aria-labelledby"]}').get_text() for f in figures]
    assert len(names) == 2 and all(f.title for f in figures)
    assert "6 graded students" in names[0] and "mean 14.0" in names[0] and "max 17.0" in names[0]
    assert "max 95.5 s" in names[1]


def test_the_csv_has_the_numbers_the_page_shows(report_of_a_mixed_class):
    soup, _, rows = report_of_a_mixed_class
    for gid, row in csv_rows(rows, "cell").items():
        assert f"({row['value']}/{row['total']})" in soup.select_one(f'td[title="{gid}"]').get_text()
    for anchor, row in csv_rows(rows, "message").items():
        count = soup.select_one(f'a[href="#{anchor}-who"]').find_parent("tr").td.get_text()
        assert count == row["value"] == str(len(soup.select(f"#{anchor}-who li")))
    shown = [td.get_text() for td in soup.select("#scores ~ table")[0].select("td")]
    score = csv_rows(rows, "score")
    assert shown == [score["count"]["value"]] + [f"{float(score[k]['value']):.1f}" for k in ("mean", "median", "min", "max")]
    assert sum(int(r["value"]) for r in rows if r["kind"] == "score bin") == 6
    assert csv_rows(rows, "score bin")["16"]["value"] == "2", "full marks (16) and more share the last bin"


def test_the_command_rebuilds_the_report_from_the_runs_records(tmp_path, capsys):
    record.save_all(tmp_path, mixed_class())
    assert report.main(["--course", str(tmp_path)]) == 0
    assert (tmp_path / report.REPORT_CSV).exists() and "7 students" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="grading_results.json is missing"):
        report.main(["--course", str(tmp_path / "elsewhere")])


def test_a_class_nobody_could_grade_still_gets_a_page(tmp_path):
    report.write(tmp_path, [record.not_graded("only", "em_prankster", "no em_prankster/ folder")])
    soup = BeautifulSoup((tmp_path / report.REPORT_HTML).read_text(), "html.parser")
    assert "No student was graded." in soup.get_text() and not soup.select("svg")
    assert "only" in soup.select_one("#not-graded + table").get_text()


@pytest.mark.slow
def test_the_report_reads_offline_in_chromium(tmp_path):
    """Opened from file with the network off and every other request refused."""
    from support.browser import launch_chromium, require_browser, time_limit

    page_file = report.write(tmp_path, mixed_class())
    sync_playwright = require_browser()
    attempted, errors = [], []

    def refuse(route):
        if route.request.url == page_file.as_uri():
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort("internetdisconnected")

    with time_limit(120, "the class report in chromium"), sync_playwright() as playwright:
        context = launch_chromium(playwright, tmp_path / "chromium-profile", width=1200, height=900)
        try:
            context.set_offline(True)
            context.route("**/*", refuse)
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: errors.append(f"a dialog: {d.message}"))
            page.on("request", lambda r: None if r.url == page_file.as_uri() else attempted.append(r.url))
            page.goto(page_file.as_uri(), wait_until="load")

            figures = page.get_by_role("img")
            assert figures.count() == 2
            for figure, starts in zip(figures.all(), ("Histogram of the total scores", "Histogram of the seconds")):
                name = figure.evaluate("e => e.querySelector('title').textContent")
                assert name.startswith(starts) and "mean" in name
                assert page.get_by_role("img", name=name).count() == 1, "the figure's accessible name"

            students = page.locator("#msg-1-who")
            assert not students.is_visible(), "the lists start folded"
            page.get_by_role("link", name=FIRST_BOUND).click()
            students.wait_for(state="visible", timeout=5000)
            assert students.locator("li").all_inner_texts() == ["first-bound-wrong-a", "first-bound-wrong-b"]
            assert page.evaluate("location.hash") == "#msg-1-who"
            assert page.get_by_text(HOSTILE_ID, exact=True).count() >= 1, "the hostile id shown as text"
        finally:
            context.close()
    assert not attempted, f"the page asked for {sorted(set(attempted))}"
    assert not errors, errors
