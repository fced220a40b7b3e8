"""The course under test, and the commands tests run in copies of it.

``EM`` is em_prankster's facts (grading/assignments.py); most tests are about it. A test that
holds for any assignment takes the name from ``assignments.names()``.
"""
import os
import shutil
import subprocess
import sys

from grading import assignments
from coursetools import notebook_cells
from coursetools.course_copy import copy_course

ROOT = assignments.ROOT
EM = assignments.load("em_prankster")
ASSIGNMENT, NOTEBOOK = EM.name, EM.notebook
FUNCTIONS, ANSWERS = EM.functions, EM.answers
SCHEDULE = tuple(tuple(stage) for stage in EM.extra["schedule"])
SOURCE_NB = EM.source_notebook
RELEASE_NB = ROOT / "release" / ASSIGNMENT / NOTEBOOK
SOLUTION_NB = ROOT / "solutions" / ASSIGNMENT / NOTEBOOK
DATA = EM.folder / "data_em.npy"
TRUTH = ROOT / "build" / "truth.npz"
REPORTS = []  # (title, text) printed at the end of the run: measured figures for the notes


def nbgrader_env():
    """The environment for an nbgrader app: the tests' own (tests/conftest.py), not inside a
    grading run."""
    env = dict(os.environ)
    env.pop("NBGRADER_EXECUTION", None)
    return env


def nbgrader(course, *args, check=True, timeout=900):
    """Run ``nbgrader ARGS`` in the course directory; return the finished process."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    proc = subprocess.run(cmd, cwd=course, env=nbgrader_env(), capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def grading_run(course, *args, assignment=ASSIGNMENT, timeout=1800):
    """Run the course's grading run, ``python -m grading.run ASSIGNMENT ARGS``, in the course
    folder; fail with its output unless it succeeds; return the finished process."""
    proc = subprocess.run([sys.executable, "-m", "grading.run", assignment, *args], cwd=course,
                          env=nbgrader_env(), capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def new_course(tmp):
    """A copy of the course (config, registry, grading/, source/ with the data, the answer
    key) in ``tmp``."""
    tmp = copy_course(ROOT, tmp)
    (tmp / "build").mkdir()
    shutil.copy(TRUTH, tmp / "build" / "truth.npz")  # the solution notebook reads the answer key
    return tmp


def load_solution_namespace():
    """Execute the source notebook's imports, test fixtures and solution cells."""
    return notebook_cells.run_cells(notebook_cells.read(SOURCE_NB),
                                    ["imports", "test_fixtures", *FUNCTIONS], folder=EM.folder)
