"""The course's files exist once: submissions, graded folders and feedback hold no copies of them.

Fast (no kernel, no nbgrader app): the steps of grading/steps/course_files.py on a tiny course, the
submit of grading/steps/exchange_submit.py through nbgrader's own exchange classes in a temporary
exchange, and the images of the graded notebook's pages (grading/steps/html_images.py) rendered with
the course's configuration. tests/test_grading.py checks a whole grading run's folders.
"""
import base64
import copy
import os
import pathlib
import shutil

import nbformat
import nbgrader
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange import ExchangeFactory
from traitlets.config import Config, PyFileConfigLoader

from support.course import ASSIGNMENT, EM, NOTEBOOK, RELEASE_NB, ROOT
from grading.steps import course_files, exchange_submit, html_images
from grading.steps.course_files import LinkCourseFiles, UnlinkCourseFiles
from test_sanitize import formgrader_page

COURSE_DATA = b"the course's photos"
LINEUP = EM.folder / "lineup.png"


@pytest.fixture
def tiny_course(tmp_path):
    """source/a/ with two course files, a notebook and a checkpoint; autograded/s/a/ with what
    nbgrader copied from a submission: a changed data file, and nbgrader's timestamp."""
    source = tmp_path / "source" / "a"
    (source / ".ipynb_checkpoints").mkdir(parents=True)
    (source / "data.npy").write_bytes(COURSE_DATA)
    (source / "em_grading.py").write_text("CHECKS = 1\n")
    (source / "a.ipynb").write_text("{}")
    (source / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text("{}")
    graded = tmp_path / "autograded" / "s" / "a"
    graded.mkdir(parents=True)
    (graded / "data.npy").write_bytes(b"the student's zeros")
    (graded / "timestamp.txt").write_text("2026-12-01 10:00:00 UTC")
    (graded / "a.ipynb").write_text("{}")
    return tmp_path


def step_config(course, sandbox=True):
    return Config({"CourseDirectory": {"root": str(course), "ignore": [".ipynb_checkpoints", "*.pyc"]},
                   "GuardedExecute": {"sandbox": sandbox}})


RESOURCES = {"nbgrader": {"student": "s", "assignment": "a", "notebook": "a"}}


def test_the_course_files_are_those_nbgrader_would_copy(tiny_course):
    coursedir = CourseDirectory(config=step_config(tiny_course))
    assert course_files.not_copied(coursedir) == {"a": ["data.npy", "em_grading.py"]}


def test_the_kernel_is_lent_the_course_files_as_hard_links(tiny_course):
    source, graded = tiny_course / "source" / "a", tiny_course / "autograded" / "s" / "a"
    mode = (source / "data.npy").stat().st_mode
    LinkCourseFiles(config=step_config(tiny_course)).preprocess(new_notebook(), RESOURCES)
    for name in ("data.npy", "em_grading.py"):
        assert os.path.samefile(graded / name, source / name), name
    assert (graded / "data.npy").read_bytes() == COURSE_DATA, "the course's data, not the student's"
    assert sorted(p.name for p in graded.iterdir()) == ["a.ipynb", "data.npy", "em_grading.py",
                                                        "timestamp.txt"]
    assert (source / "data.npy").stat().st_mode == mode


def test_without_the_sandbox_the_kernel_gets_copies(tiny_course):
    """The kernel could write through a link into source/ when nothing binds it read-only."""
    source, graded = tiny_course / "source" / "a", tiny_course / "autograded" / "s" / "a"
    LinkCourseFiles(config=step_config(tiny_course, sandbox=False)).preprocess(new_notebook(), RESOURCES)
    assert not os.path.samefile(graded / "data.npy", source / "data.npy")
    assert (graded / "data.npy").read_bytes() == COURSE_DATA


def test_the_course_files_leave_the_graded_folder_when_the_kernel_stops(tiny_course):
    source, graded = tiny_course / "source" / "a", tiny_course / "autograded" / "s" / "a"
    LinkCourseFiles(config=step_config(tiny_course)).preprocess(new_notebook(), RESOURCES)
    UnlinkCourseFiles(config=step_config(tiny_course)).preprocess(new_notebook(), RESOURCES)
    assert sorted(p.name for p in graded.iterdir()) == ["a.ipynb", "timestamp.txt"]
    assert (source / "data.npy").read_bytes() == COURSE_DATA and (source / "em_grading.py").exists()


@pytest.fixture(scope="module")
def course_config():
    """The configuration nbgrader_config.py gives every nbgrader app."""
    return PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()


def test_the_course_lends_its_files_around_the_kernel_and_nbgrader_copies_none(course_config):
    steps = [s if isinstance(s, str) else s.__name__ for s in course_config.Autograde.autograde_preprocessors]
    at = steps.index("grading.steps.GuardedExecute")
    assert steps[at - 1:at + 2] == ["grading.steps.LinkCourseFiles", "grading.steps.GuardedExecute",
                                    "grading.steps.UnlinkCourseFiles"]
    released = ["data_em.npy", "em_grading.py", "lineup.png"]  # what nbgrader releases beside the notebook
    assert course_config.Autograde.exclude_overwriting == {ASSIGNMENT: released}
    assert course_config.ExchangeFactory.submit == exchange_submit.IMPORT_PATH


# --- nbgrader submit and collect (grading/steps/exchange_submit.py) -----------------------------------

def exchange_config(tmp_path, submit=None):
    config = Config()
    config.CourseDirectory.root = str(tmp_path / "course")
    config.CourseDirectory.course_id = "c"
    config.CourseDirectory.assignment_id = "a"
    config.Exchange.root = str(tmp_path / "exchange")
    config.Exchange.cache = str(tmp_path / "cache")
    config.Exchange.assignment_dir = str(tmp_path / "student")
    if submit:
        config.ExchangeFactory.submit = submit
    return config


def submit_and_collect(tmp_path, submit=None, collect=True):
    """Release a tiny assignment, submit a student's folder (the release, a changed data file, a
    note of their own), collect it; return the files of the exchange's submission, the
    student's submission cache and ``submitted/`` (None without ``collect``, which opens the
    gradebook: two seconds)."""
    config = exchange_config(tmp_path, submit)
    release = tmp_path / "course" / "release" / "a"
    release.mkdir(parents=True)
    nbformat.write(new_notebook(), str(release / "a.ipynb"))
    (release / "data.npy").write_bytes(COURSE_DATA)
    student = tmp_path / "student" / "a"
    shutil.copytree(release, student)
    (student / "data.npy").write_bytes(b"changed by the student")
    (student / "notes.md").write_text("mine")
    factory = ExchangeFactory(config=config)
    coursedir, auth = CourseDirectory(config=config), Authenticator(config=config)
    factory.ReleaseAssignment(coursedir=coursedir, authenticator=auth, config=config).start()
    factory.Submit(coursedir=CourseDirectory(config=config), authenticator=auth, config=config).start()
    if collect:
        factory.Collect(coursedir=CourseDirectory(config=config), authenticator=auth, config=config).start()

    def names(folder):
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    inbound = next((tmp_path / "exchange" / "c" / "inbound").iterdir())
    cache = next((tmp_path / "cache" / "c").iterdir())
    if not collect:
        return names(inbound), names(cache), None
    submitted = next((tmp_path / "course" / "submitted").iterdir()) / "a"
    return names(inbound), names(cache), names(submitted)


def test_a_submission_leaves_the_course_files_out(tmp_path):
    expected = ["a.ipynb", "notes.md", "submission_secret.txt", "timestamp.txt"]
    assert submit_and_collect(tmp_path, exchange_submit.IMPORT_PATH) == (expected, expected, expected)


def test_nbgrader_alone_submits_them(tmp_path):
    """The check above can fail: nbgrader's own submit carries the data into every folder."""
    inbound, cache, _ = submit_and_collect(tmp_path, collect=False)
    assert "data.npy" in inbound and "data.npy" in cache


# --- the graded notebook's pages (grading/steps/html_images.py) -------------------------------------

def graded_notebook():
    """The released notebook with a student's cell that draws a figure, as autograde leaves it."""
    nb = nbformat.read(RELEASE_NB, as_version=4)
    for cell in nb.cells:  # what nbgrader's GetGrades adds before the feedback is rendered
        fields = cell.get("metadata", {}).get("nbgrader", {})
        if fields.get("grade"):
            fields["score"] = 0.0
    figure = base64.b64encode(b"\x89PNG not really").decode("ascii")
    mine = new_code_cell("plt.plot([1, 2])", outputs=[new_output("display_data", data={"image/png": figure})])
    nb.cells.insert(3, mine)
    nb.cells.append(new_markdown_cell("my own copy: ![x](lineup.png)"))
    return nb


def feedback_page(config, nb):
    """The page as ``nbgrader generate_feedback`` renders it (test_sanitize.py says how)."""
    from grading.steps.feedback import FeedbackExporter
    config = Config(config)
    config.HTMLExporter.extra_template_paths = [str(pathlib.Path(nbgrader.__file__).parent / "server_extensions"
                                                    / "formgrader" / "static" / "node_modules" / "bootstrap"
                                                    / "dist" / "css")]
    resources = {"nbgrader": {"assignment": ASSIGNMENT, "notebook": "em_prankster", "score": 1,
                              "max_score": 2, "late_penalty": 0}, "metadata": {"path": str(ROOT)}}
    html, _ = FeedbackExporter(config=config).from_notebook_node(nb, resources=resources)
    return html


@pytest.fixture
def released_config(tmp_path, course_config):
    """The course's configuration on a course whose release/ holds the released notebook and the
    lineup (``make data`` draws it; release/ in git has only the notebook)."""
    if not LINEUP.exists():
        pytest.fail(f"{LINEUP} is missing: run `make data`")
    release = tmp_path / "release" / ASSIGNMENT
    release.mkdir(parents=True)
    shutil.copy(RELEASE_NB, release)
    shutil.copy(LINEUP, release)
    config = copy.deepcopy(course_config)
    config.CourseDirectory.root = str(tmp_path)
    return config


@pytest.mark.parametrize("render", [feedback_page, formgrader_page], ids=["feedback", "formgrader"])
def test_the_pages_embed_the_lineup_and_describe_every_figure(released_config, render):
    soup = BeautifulSoup(render(released_config, graded_notebook()), "html.parser")
    lineup = soup.select("img[alt^='The lineup: ']")
    assert len(lineup) == 1 and lineup[0]["src"].startswith("data:image/png;base64,")
    assert base64.b64decode(lineup[0]["src"].split(",", 1)[1]) == LINEUP.read_bytes()
    mine = soup.find("img", alt=html_images.STUDENT_FIGURE)
    assert mine is not None and mine["src"].startswith("data:image/png")
    assert soup.find_all("img", src="lineup.png"), "a student's own cell gets no copy of a course file"
    assert not soup.select("img:not([alt])")


@pytest.mark.parametrize("render", [feedback_page, formgrader_page], ids=["feedback", "formgrader"])
def test_a_course_figures_alt_text_comes_from_the_notebook(course_config, render):
    nb = graded_notebook()
    example = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "example_image")
    example.outputs = [new_output("display_data", data={"image/png": "iVBORw0KGgo="},
                                  metadata={"image/png": {"alt": "Photo 0 of the 1000"}})]
    soup = BeautifulSoup(render(course_config, nb), "html.parser")
    assert soup.find("img", alt="Photo 0 of the 1000") is not None


def test_every_figure_of_the_solution_says_what_it_shows():
    """Every image the solution notebook's cells display carries alt text (em_grading.show_figure)."""
    nb = nbformat.read(ROOT / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)
    figures = [(i, o) for i, c in enumerate(nb.cells) for o in c.get("outputs", [])
               if "image/png" in o.get("data", {})]
    assert len(figures) >= 9
    missing = [i for i, o in figures if not o.get("metadata", {}).get("image/png", {}).get("alt")]
    assert not missing, f"figures without alt text in cells {missing}"
