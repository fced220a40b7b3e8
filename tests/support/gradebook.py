"""Grades read from a course's gradebook, wherever it is (grading/run/gradebook.py's ``url``)."""
from nbgrader.api import Gradebook, MissingEntry

from grading.run import gradebook as gradebooks
from support.course import ASSIGNMENT


def grades(course, student, assignment=ASSIGNMENT, extra_credit=False):
    """{grade_id: (score, max_score)} of one student's notebook; with ``extra_credit``, the
    score includes it."""
    with Gradebook(gradebooks.url(course)) as gb:
        nb = gb.find_submission_notebook(assignment, assignment, student)
        return {g.name: ((g.score or 0.0) + ((g.extra_credit or 0.0) if extra_credit else 0.0),
                         g.max_score) for g in nb.grades}


def scores(course, students, assignment=ASSIGNMENT):
    """{student: {grade_id: score + extra credit}} for the students the gradebook has."""
    out = {}
    with Gradebook(gradebooks.url(course)) as gb:
        for name in students:
            try:
                submission = gb.find_submission(assignment, name)
            except MissingEntry:
                continue
            out[name] = {g.name: (g.score or 0.0) + (g.extra_credit or 0.0)
                         for nb in submission.notebooks for g in nb.grades}
    return out


def totals(course, students, assignment=ASSIGNMENT):
    """{student: total score (extra credit included)} for the students the gradebook has."""
    out = {}
    with Gradebook(gradebooks.url(course)) as gb:
        for name in students:
            try:
                out[name] = gb.find_submission(assignment, name).score
            except MissingEntry:
                continue
    return out
