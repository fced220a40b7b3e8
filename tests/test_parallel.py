"""grading.parallel: several workers, one gradebook, the same scores as nbgrader alone."""
import io
import shutil


import pytest

from conftest import ASSIGNMENT, NOTEBOOK, ROOT, grades, nbgrader, new_course
from grading import parallel

pytestmark = pytest.mark.slow  # `make check` leaves it out (pytest.ini)

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
