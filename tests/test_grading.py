"""The real nbgrader apps on the real notebooks: validate, release, autograde, feedback; and
grading.run.parallel: several workers, one gradebook, the same scores as nbgrader alone."""
import html
import io
import re
import shutil

from nbgrader.api import Gradebook
from nbgrader.validator import Validator

import pytest

from grading.run import gradebook as gradebooks
from support import ASSIGNMENT, FUNCTIONS, NOTEBOOK, RELEASE_NB, ROOT, SOLUTION_NB, SOURCE_NB, nbgrader, new_course
from support.gradebook import grades
from coursetools import notebook_cells
from grading.run import parallel
from prankster import secret, suspects

pytestmark = pytest.mark.slow  # `make check` leaves it out (pytest.ini)


def validate(path, invert=False):
    """nbgrader's validator, as the Validate button runs it; returns its findings."""
    return Validator(invert=invert).validate(str(path))


def test_source_notebook_validates():
    result = validate(SOURCE_NB)
    assert not any(result.get(k) for k in ("failed", "type_changed", "changed")), result


def test_every_test_fails_on_the_release_notebook(release_nb):
    """Every graded test fails on the stubs. The bonus cells are worth 0 points, so nbgrader's
    validator always counts them as passed (0 of 0); that they earn no extra credit on the
    untouched release is checked in test_bonus_cells_give_extra_credit_only."""
    bonus = [{"source": c.source} for c in release_nb.cells
             if notebook_cells.nbgrader_meta(c).get("grade_id", "").endswith("_hard")]
    inverted = validate(RELEASE_NB, invert=True)  # lists the cells that pass
    passed = [cell for cell in inverted.get("passed", []) if cell not in bonus]
    assert not passed, f"tests that pass on the untouched release: {passed}"
    failed = validate(RELEASE_NB).get("failed", [])
    assert len(failed) == len(notebook_cells.grade_cells(release_nb)), failed  # bonus cells included


def test_release_holds_no_solution_and_no_hidden_test(source_nb):
    text = RELEASE_NB.read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    parts = [notebook_cells.split_solution(notebook_cells.strip_hidden_tests(c.source)) for c in source_nb.cells]
    public = "\n".join(outside for _, outside in parts)
    secret_lines = {line.strip() for inside, _ in parts for line in inside.splitlines()
                    if len(line.strip()) > 12 and line.strip() not in public}
    assert len(secret_lines) > 30
    leaked = [line for line in secret_lines if line in text]
    assert not leaked, leaked
    hidden_lines = {line.strip() for c in source_nb.cells
                    for region in re.findall(r"BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", c.source, re.S)
                    for line in region.splitlines()
                    if len(line.strip()) > 12 and line.strip() not in public}
    assert len(hidden_lines) > 30
    leaked = [line for line in hidden_lines if line in text]
    assert not leaked, leaked


def test_release_does_not_reveal_the_secret():
    released = ROOT / "release" / ASSIGNMENT
    names = {p.name for p in released.iterdir()}
    assert names <= {f"{ASSIGNMENT}.ipynb", "data_em.npy", "lineup.png", "em_grading.py"}, names
    text = (released / f"{ASSIGNMENT}.ipynb").read_text().lower()
    # The lineup names every suspect (its picture and its alt text): the prankster no more often
    times = {name: text.count(name.lower()) for name, _ in suspects.SUSPECTS}
    assert len(set(times.values())) == 1, times
    for keyword in secret.ANSWER_KEYWORDS:
        assert keyword.lower() not in text
    assert " ".join(secret.MESSAGE).lower() not in text


def test_grade_ids_name_the_function_they_test(source_nb):
    ids = [gid for gid, _ in notebook_cells.grade_cells(source_nb)]
    for gid in ids:
        assert gid.startswith((*FUNCTIONS, "answer_")), gid
    assert len(set(ids)) == len(ids)
    # the M-step and run_EM weigh most, as in the seed
    points = {f: sum(p for g, p in notebook_cells.grade_cells(source_nb) if g.startswith(f + "_"))
              for f in FUNCTIONS}
    assert max(points, key=points.get) == "run_m_step"
    assert sum(p for _, p in notebook_cells.grade_cells(source_nb)) == 100


def test_reference_submission_scores_the_maximum(graded_course):
    got = grades(graded_course, "reference")
    lost = {gid: s for gid, s in got.items() if s[0] < s[1]}
    assert not lost, f"the reference lost points in {lost}"


def test_bonus_cells_give_extra_credit_only(graded_course, source_nb):
    """The hard-EM cells are worth 0 points and 1 point of extra credit each when they pass."""
    bonus = [gid for gid, points in notebook_cells.grade_cells(source_nb) if gid.endswith("_hard")]
    assert len(bonus) == 4
    assert all(points == 0 for gid, points in notebook_cells.grade_cells(source_nb) if gid in bonus)
    with Gradebook(gradebooks.url(graded_course)) as gb:
        for student, expected in (("reference", 4.0), ("untouched", 0.0)):
            grades = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student).grades
            assert sum(g.extra_credit or 0 for g in grades) == expected, student
            assert sum(g.extra_credit or 0 for g in grades if g.name not in bonus) == 0
        assert gb.find_submission(ASSIGNMENT, "reference").score == 104.0


def test_untouched_release_scores_zero(graded_course):
    got = grades(graded_course, "untouched")
    assert sum(s for s, _ in got.values()) == 0, got


def test_typical_mistakes_lose_points_where_they_are(graded_course):
    got = grades(graded_course, "mistakes")
    total = sum(s for s, _ in got.values())
    assert 0 < total < sum(m for _, m in got.values())
    lost = {gid for gid, (s, m) in got.items() if s < m}
    # calculate_log_probability's constant, run_m_step's background, the wrong suspect ...
    assert {"calculate_log_probability_visible", "run_m_step_hidden_background",
            "answer_prankster_hidden"} <= lost, lost
    # ... and nothing that does not depend on them
    assert not lost & {"run_m_step_hidden_prior", "run_m_step_hidden_face",
                       "answer_location_hidden"}, lost


def test_feedback_is_written_for_every_student(graded_course):
    for student in ("reference", "untouched", "mistakes"):
        html = graded_course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert html.exists(), html


def test_feedback_shows_messages_not_hidden_tests(graded_course, source_nb):
    html = (graded_course / "feedback" / "mistakes" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "is wrong" in html and "expected:" in html   # check_close's message for the mistake
    assert "most recent call last" not in html and "----&gt;" not in html and "BEGIN HIDDEN" not in html
    for marker in ("hX = (np.arange", "eX = np.clip", "final_bound = calculate_lower_bound", "_culprit"):
        assert marker not in html, marker


def score_index(graded_course, student):
    """The rows of the feedback's index: (function, what is checked, score, message)."""
    page = (graded_course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    table = re.search(r'<table[^>]*id="score-index".*?</table>', page, re.S)
    assert table, "the feedback has no score index"
    rows = re.findall(r"<tr class=\"(?:lost|kept)\">(.*?)</tr>", table.group(0), re.S)
    return [tuple(html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
                  for cell in re.findall(r"<td>(.*?)</td>", row, re.S)) for row in rows]


def test_feedback_index_names_function_behaviour_score_and_message(graded_course):
    rows = score_index(graded_course, "mistakes")
    assert len(rows) == len(notebook_cells.grade_cells(notebook_cells.read(SOURCE_NB)))  # bonus cells too
    assert "Test cell" not in str(rows)
    by_check = {(function, what): (score, message) for function, what, score, message in rows}
    assert by_check["run_e_step", "underflow"] == ("3 / 3", "")
    score, message = by_check["calculate_lower_bound", "zeros"]
    assert score == "0 / 4" and message.startswith("AssertionError: calculate_lower_bound(") \
        and "is wrong" in message, message
    # the whole message, every line of it: what was expected and what came back
    assert "\nexpected:\n" in message and "\ngot:\n" in message, message
    assert by_check["run_m_step", "the seed's loop limit"][0] == "0 / 1"


def test_solution_only_cells_reach_the_solutions_not_the_release(source_nb, release_nb):
    tagged = [c for c in source_nb.cells if "solution-only" in c.metadata.get("tags", [])]
    assert len(tagged) >= 2
    assert not [c for c in release_nb.cells if "solution-only" in c.metadata.get("tags", [])]
    assert "log_probability_one_loop" not in RELEASE_NB.read_text()
    solution = notebook_cells.read(SOLUTION_NB)
    executed = [c for c in solution.cells if "log_probability_one_loop" in c.source]
    assert executed and "same values: True" in "".join(o.get("text", "") for o in executed[0].outputs)


STUDENTS = ("reference", "untouched", "mistakes")


def scores(course):
    return {student: grades(course, student) for student in STUDENTS}


def test_two_workers_give_the_same_gradebook_as_nbgrader(graded_course, tmp_path):
    course = new_course(tmp_path)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    shutil.copytree(ROOT / "demo" / "submitted", course / "submitted")
    log = io.StringIO()
    failures = parallel.autograde(course, ASSIGNMENT, workers=2, out=log)
    assert failures == {}
    assert scores(course) == scores(graded_course)
    for student in STUDENTS:
        assert (course / "autograded" / student / ASSIGNMENT / NOTEBOOK).exists()
    assert not (course / ".grading" / "shards").exists()
    first, *lines = log.getvalue().splitlines()
    assert first.startswith("each kernel in a sandbox: bubblewrap")
    assert len(lines) == 3 and lines[-1].startswith("[3/3]") and "0 remaining" in lines[-1]
    # the merged gradebook works with the rest of nbgrader
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    assert (course / "feedback" / "mistakes" / ASSIGNMENT / f"{ASSIGNMENT}.html").exists()
