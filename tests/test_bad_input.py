"""Submissions that come late or are not notebooks, graded by grading.run.parallel.

- A submission whose timestamp.txt is 2.5 hours after the due date loses 30 points (10 per
  started hour, grading/steps/late.py, set in nbgrader_config.py); one on time loses nothing.
- A submission with no notebook (a PDF) is not graded, and the summary says why.
"""
import csv

import pytest
from nbgrader.api import Gradebook

from grading.run import gradebook as gradebooks
from support import ASSIGNMENT, NOTEBOOK, ROOT, nbgrader, new_course
from grading.run import parallel

pytestmark = pytest.mark.slow  # a grading run: `make check` leaves it out (pytest.ini)

DUE = "2026-11-20 12:00:00.000000 UTC"
ON_TIME = "2026-11-20 11:59:00.000000 UTC"
LATE = "2026-11-20 14:30:00.000000 UTC"  # 2.5 h late: 3 started hours


def test_late_and_non_notebook_submissions(tmp_path):
    course = new_course(tmp_path)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    nbgrader(course, "db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE}")
    reference = (ROOT / "demo" / "submitted" / "reference" / ASSIGNMENT / NOTEBOOK).read_bytes()
    for student, stamp in (("ontime", ON_TIME), ("late", LATE)):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / NOTEBOOK).write_bytes(reference)
        (folder / "timestamp.txt").write_text(stamp)
    pdf = course / "submitted" / "pdf" / ASSIGNMENT
    pdf.mkdir(parents=True)
    (pdf / "em_prankster.pdf").write_bytes(b"%PDF-1.4\n% my answers, printed from the notebook\n")
    (pdf / "timestamp.txt").write_text(ON_TIME)

    failures = parallel.autograde(course, ASSIGNMENT, workers=2)

    assert set(failures) == {"pdf"}, failures
    summary = (course / "grading_summary.txt").read_text()
    line = next(line for line in summary.splitlines() if line.split()[:1] == ["pdf"])
    assert "not graded" in line and "no notebook in the submission (files: em_prankster.pdf" in line, line
    with Gradebook(gradebooks.url(course)) as gb:
        late = gb.find_submission(ASSIGNMENT, "late")
        ontime = gb.find_submission(ASSIGNMENT, "ontime")
        assert late.total_seconds_late == 2.5 * 3600
        assert ontime.total_seconds_late == 0
        assert late.late_submission_penalty == 30.0
        assert not ontime.late_submission_penalty
        assert late.score == ontime.score == 104.0  # the penalty is kept apart from the score
    nbgrader(course, "export", "--to", "grades.csv")
    rows = {r["student_id"]: r for r in csv.DictReader((course / "grades.csv").open())}
    assert float(rows["late"]["late_submission_penalty"]) == 30.0
    assert float(rows["ontime"]["late_submission_penalty"]) == 0.0
    assert float(rows["late"]["score"]) == 74.0 and float(rows["ontime"]["score"]) == 104.0, rows
