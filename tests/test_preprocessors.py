"""Each rule of the course's preprocessors, on a tiny notebook and a temporary gradebook.

In the style of nbgrader's own preprocessor tests: no kernel, no nbgrader app, one
assertion per rule, each test in a few milliseconds. The grading runs in test_grading.py,
test_corpus.py and test_hostile.py check the same steps end to end, on the real notebook.

The tiny assignment ``a`` has one notebook ``tiny``:

0. ``imports``: a read-only code cell (``import math``);
1. ``f``: the solution cell (``def f(x): ...``);
2. a markdown cell;
3. ``f_visible``: a test cell worth 2 points, with a hidden region;
4. ``f_hard``: a bonus test cell worth 0 points.
"""
import copy
import io
import logging
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.api import Gradebook
from nbgrader.preprocessors import ClearHiddenTests, SaveCells
from traitlets.config import Config

from grading.run import gradebook as gradebooks
from grading.steps.bonus import AwardBonus
from grading.steps.feedback import (ClearHiddenTestRegions, FeedbackExporter, ScoreIndex, ShortTracebacks,
                                     describe)
from grading.steps.rebuild import RebuildNotebook
from grading.steps.review import HoldForReview
from grading.steps.solution_only import RemoveSolutionOnlyCells

# nbgrader's Gradebook.add_submission warns about its own session handling (SQLAlchemy).
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

HIDDEN = "### BEGIN HIDDEN TESTS\nassert f(2) == 3\n### END HIDDEN TESTS"
STUDENT_F = "def f(x):\n    return x + 1"


def cell(kind, source, grade_id=None, **nbgrader):
    new = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
    if grade_id:
        new.metadata["nbgrader"] = {"grade_id": grade_id, "schema_version": 3, "grade": False,
                                    "solution": False, "locked": False, "task": False, **nbgrader}
    return new


def source_notebook():
    return new_notebook(cells=[
        cell("code", "import math", "imports", locked=True),
        cell("code", "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION",
             "f", solution=True),
        cell("markdown", "Now test `f`."),
        cell("code", f"assert f(1) == 2\n{HIDDEN}", "f_visible", grade=True, locked=True, points=2),
        cell("code", "assert f(0) == 1", "f_hard", grade=True, locked=True, points=0),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


@pytest.fixture(scope="module")
def course_template(tmp_path_factory):
    """A course folder whose gradebook knows ``tiny`` (hidden tests included) and whose
    release/ holds it as students get it. Made once: nbgrader runs `alembic` to create a
    gradebook, which takes a second; each test gets a copy (``course``)."""
    root = tmp_path_factory.mktemp("tiny-course")
    with Gradebook(gradebook_url(root)) as gb:
        gb.update_or_create_assignment("a")
        gb.add_student("s")
    nb, _ = SaveCells().preprocess(source_notebook(), resources_for(root))
    released, _ = ClearHiddenTests().preprocess(copy.deepcopy(nb), {})
    released.cells[1].source = "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    (root / "release" / "a").mkdir(parents=True)
    nbformat.write(released, str(root / "release" / "a" / "tiny.ipynb"))
    return root


def gradebook_url(root):
    return gradebooks.url(root)


def resources_for(root):
    return {"nbgrader": {"db_url": gradebook_url(root), "assignment": "a", "notebook": "tiny",
                         "student": "s"}}


@pytest.fixture
def course(course_template, tmp_path):
    """(course root, nbgrader resources): a fresh copy of the template for one test."""
    root = tmp_path / "course"
    shutil.copytree(course_template, root)
    return root, resources_for(root)


@pytest.fixture
def submission(course):
    """The released notebook as a student hands it in, with ``f`` solved."""
    root, _ = course
    nb = nbformat.read(str(root / "release" / "a" / "tiny.ipynb"), as_version=4)
    nb.cells[1].source = STUDENT_F
    return nb


def rebuild(course, nb):
    root, resources = course
    step = RebuildNotebook(config=Config({"CourseDirectory": {"root": str(root)}}))
    rebuilt, _ = step.preprocess(nb, copy.deepcopy(resources))
    return rebuilt


def by_id(nb):
    return {c.metadata.get("nbgrader", {}).get("grade_id", f"#{i}"): c for i, c in enumerate(nb.cells)}


def ids(nb):
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]


# --- RebuildNotebook (grading/steps/rebuild.py) -----------------------------------------------------

def test_rebuild_takes_the_students_solution(course, submission):
    assert by_id(rebuild(course, submission))["f"].source == STUDENT_F


def test_rebuild_puts_the_hidden_tests_back_from_the_gradebook(course, submission):
    assert HIDDEN in by_id(rebuild(course, submission))["f_visible"].source


def test_rebuild_restores_an_edited_test_cell(course, submission):
    submission.cells[3].source = "pass"
    assert by_id(rebuild(course, submission))["f_visible"].source.startswith("assert f(1) == 2")


def test_rebuild_notes_an_edited_test_cell(course, submission):
    submission.cells[3].source = "pass"
    assert "f_visible was edited: restored" in rebuild(course, submission).metadata.grading.repairs


def test_rebuild_puts_back_a_deleted_test_cell(course, submission):
    del submission.cells[3]
    assert ids(rebuild(course, submission)) == ["imports", "f", None, "f_visible", "f_hard"]


def test_rebuild_removes_tags_such_as_skip_execution(course, submission):
    submission.cells[3].metadata["tags"] = ["skip-execution"]
    assert "tags" not in by_id(rebuild(course, submission))["f_visible"].metadata


def test_rebuild_restores_the_released_order(course, submission):
    submission.cells[3], submission.cells[4] = submission.cells[4], submission.cells[3]
    assert ids(rebuild(course, submission)) == ["imports", "f", None, "f_visible", "f_hard"]


def test_rebuild_restores_changed_nbgrader_metadata(course, submission):
    submission.cells[3].metadata.nbgrader.update(grade=False, points=99)
    meta = by_id(rebuild(course, submission))["f_visible"].metadata.nbgrader
    assert (meta.grade, meta.points) == (True, 2)


def test_rebuild_keeps_a_second_cell_with_a_graded_id_as_an_ordinary_cell(course, submission):
    copy_of_test = copy.deepcopy(submission.cells[3])
    copy_of_test.source = "print('mine')"
    submission.cells.append(copy_of_test)
    rebuilt = rebuild(course, submission)
    assert [c.metadata.get("nbgrader") for c in rebuilt.cells if c.source == "print('mine')"] == [None]


def test_rebuild_keeps_an_added_cell_after_the_cell_it_followed(course, submission):
    submission.cells.insert(2, new_code_cell("helper = 1"))
    sources = [c.source for c in rebuild(course, submission).cells]
    assert sources.index("helper = 1") == sources.index(STUDENT_F) + 1


def test_rebuild_moves_a_cell_added_above_the_first_code_cell_below_it(course, submission):
    submission.cells.insert(0, new_code_cell("early = 1"))
    assert [c.source for c in rebuild(course, submission).cells][:2] == ["import math", "early = 1"]


def test_rebuild_notes_a_missing_solution_cell(course, submission):
    del submission.cells[1]
    assert ("solution cell f is missing: nothing was put in its place"
            in rebuild(course, submission).metadata.grading.repairs)


def test_rebuild_records_flagged_code_with_its_cell(course, submission):
    submission.cells[1].source = "import ctypes\n" + STUDENT_F
    flags = rebuild(course, submission).metadata.grading.flags
    assert [(f["cell"], f["where"]) for f in flags] == [(1, "f")]


def test_rebuild_flags_nothing_in_honest_code(course, submission):
    assert rebuild(course, submission).metadata.grading.flags == []


# --- AwardBonus and HoldForReview (grading/steps/bonus.py, grading/steps/review.py) -----------------------

@pytest.fixture
def graded(course, submission):
    """(rebuilt notebook, resources, gradebook url) with a submission row for student ``s``."""
    _, resources = course
    with Gradebook(resources["nbgrader"]["db_url"]) as gb:
        gb.add_submission("a", "s")
        for cell in ("f_visible", "f_hard"):  # as nbgrader's SaveAutoGrades leaves them
            g = gb.find_grade(cell, "tiny", "a", "s")
            g.auto_score, g.needs_manual_grade = g.max_score, False
        gb.db.commit()
    return rebuild(course, submission), resources, resources["nbgrader"]["db_url"]


def grade(db_url, grade_id):
    with Gradebook(db_url) as gb:
        g = gb.find_grade(grade_id, "tiny", "a", "s")
        return g.auto_score, g.extra_credit, g.needs_manual_grade


def test_a_passing_bonus_cell_earns_its_extra_credit(graded):
    nb, resources, db_url = graded
    AwardBonus(points=1.5).preprocess(nb, resources)
    assert grade(db_url, "f_hard")[1] == 1.5


@pytest.mark.parametrize("output", [
    new_output("error", ename="AssertionError", evalue="", traceback=[]),
    new_output("stream", name="stderr", text="Traceback ..."),
], ids=["error", "stderr"])
def test_a_failing_bonus_cell_earns_nothing(graded, output):
    nb, resources, db_url = graded
    by_id(nb)["f_hard"].outputs = [output]
    AwardBonus(points=1.5).preprocess(nb, resources)
    assert grade(db_url, "f_hard")[1] == 0.0


def test_bonus_leaves_ordinary_test_cells_alone(graded):
    nb, resources, db_url = graded
    AwardBonus(points=1.5).preprocess(nb, resources)
    assert grade(db_url, "f_visible")[1] in (None, 0.0)


def flag(nb, index):
    nb.metadata.grading.flags = [{"cell": index, "where": "f", "what": "line 1: imports ctypes"}]


def test_review_holds_the_test_cells_after_flagged_code(graded):
    nb, resources, db_url = graded
    flag(nb, 1)
    HoldForReview().preprocess(nb, resources)
    assert grade(db_url, "f_visible")[2] is True


def test_review_sets_held_cells_to_zero_until_reviewed(graded):
    nb, resources, db_url = graded
    flag(nb, 1)
    HoldForReview().preprocess(nb, resources)
    assert grade(db_url, "f_visible")[0] == 0.0


def test_review_leaves_the_cells_before_the_flag_alone(graded):
    nb, resources, db_url = graded
    flag(nb, 4)
    HoldForReview().preprocess(nb, resources)
    assert grade(db_url, "f_visible")[::2] == (2.0, False)


def test_review_tells_the_student_why_in_the_cell(graded):
    nb, resources, _ = graded
    flag(nb, 1)
    HoldForReview().preprocess(nb, resources)
    assert "held for the instructor's review" in by_id(nb)["f_visible"].outputs[-1].text


def test_review_holds_nothing_without_flags(graded):
    nb, resources, db_url = graded
    HoldForReview().preprocess(nb, resources)
    assert grade(db_url, "f_visible")[::2] == (2.0, False)


# --- RemoveSolutionOnlyCells (grading/steps/solution_only.py) ---------------------------------------

def test_solution_only_cells_are_left_out_of_the_release():
    nb = source_notebook()
    nb.cells[2].metadata["tags"] = ["solution-only"]
    released, _ = RemoveSolutionOnlyCells().preprocess(nb, {})
    assert "Now test `f`." not in [c.source for c in released.cells]


# --- feedback (grading/steps/feedback.py) -----------------------------------------------------------

def failed(grade_id="f_visible", evalue="f(1): expected 2, got 3"):
    test = source_notebook().cells[3]
    test.metadata.nbgrader.update(grade_id=grade_id, score=0)
    test.outputs = [new_output("error", ename="AssertionError", evalue=evalue,
                               traceback=["  File <cell>, line 1", "assert f(1) == 2", "AssertionError"])]
    return test


@pytest.mark.parametrize("step", [ShortTracebacks, ScoreIndex, ClearHiddenTestRegions])
def test_feedback_steps_take_the_exporters_settings_without_a_warning(step):
    """nbconvert's HTMLExporter sets display_data_priority for every step it runs; nbgrader's
    steps declare it without config=True, which made each feedback run warn three times."""
    said = io.StringIO()
    log = logging.getLogger(f"feedback-step-{step.__name__}")
    log.addHandler(logging.StreamHandler(said))
    configured = step(config=FeedbackExporter().default_config, log=log)
    assert said.getvalue() == ""
    assert configured.display_data_priority == FeedbackExporter().default_config.NbConvertBase.display_data_priority


def test_feedback_keeps_only_the_errors_last_line():
    test, _ = ShortTracebacks().preprocess_cell(failed(), {}, 0)
    assert test.outputs[0].traceback == ["AssertionError: f(1): expected 2, got 3"]


def test_feedback_clears_hidden_tests_in_test_cells():
    test, _ = ClearHiddenTestRegions().preprocess_cell(failed(), {}, 0)
    assert "assert f(2) == 3" not in test.source


def test_feedback_leaves_a_students_own_words_alone():
    mine = source_notebook().cells[1]
    mine.source = f"# I read about\n{HIDDEN}"
    answer, _ = ClearHiddenTestRegions().preprocess_cell(mine, {}, 0)
    assert answer.source == f"# I read about\n{HIDDEN}"


def test_feedback_index_names_function_behaviour_score_and_message():
    test, _ = ScoreIndex().preprocess_cell(failed("run_EM_hidden_early_stop"), {}, 0)
    assert test.metadata.feedback == {"function": "run_EM", "behaviour": "early stop",
                                      "score": "0 / 2", "lost": True,
                                      "message": "AssertionError: f(1): expected 2, got 3"}


def test_feedback_index_shows_the_whole_message():
    """A long first line and the lines after it: none of it is cut (it used to end at
    "returned nan or inf values:", the values left out)."""
    values = ", ".join(["nan"] * 60)
    evalue = f"LL of run_EM(eX, ew, eF0, eB0, es0, ea0, tolerance=-inf, max_iter=4) returned nan or inf values: [{values}]"
    test, _ = ScoreIndex().preprocess_cell(failed("run_EM_hidden_bound_values", evalue + "\nexpected:\n[1.0]"), {}, 0)
    assert test.metadata.feedback["message"] == f"AssertionError: {evalue}\nexpected:\n[1.0]"


def test_feedback_index_cuts_only_a_very_long_message_and_says_so():
    test, _ = ScoreIndex().preprocess_cell(failed("run_EM_hidden_returns", "x" * 10_000), {}, 0)
    message = test.metadata.feedback["message"]
    assert message.startswith("AssertionError: " + "x" * 1000) and len(message) < 4100
    assert message.endswith("more characters in the cell below)")


@pytest.mark.parametrize("grade_id, expected", [
    ("run_m_step_visible", ("run_m_step", "the visible test")),
    ("run_e_step_loops", ("run_e_step", "the seed's loop limit")),
    ("run_EM_hard", ("run_EM", "hard-EM (bonus)")),
    ("answer_prankster_hidden", ("answer_prankster", "the answer")),
    ("something_else", ("something_else", "test")),
])
def test_feedback_describes_each_kind_of_grade_id(grade_id, expected):
    assert describe(grade_id) == expected
