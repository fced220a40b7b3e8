"""What the tests share, beside pytest's fixtures (tests/conftest.py):

- ``course``: the course under test (its folder, its assignments: ``EM`` for em_prankster),
  copies of it to grade in, and the commands tests run there (``nbgrader``, ``grading_run``);
- ``gradebook``: grades read from a course's gradebook, wherever it is;
- ``browser``: Debian's chromium through Playwright, and a JupyterLab to point it at;
- ``hub``: a JupyterHub of the test's own, from hub/hubctl.py's set-up.

JupyterLab, the hub and PostgreSQL all run under one harness, coursetools/servers.py.
"""
from support.course import (ANSWERS, ASSIGNMENT, DATA, EM, FUNCTIONS, NOTEBOOK, RELEASE_NB, REPORTS,
                            ROOT, SCHEDULE, SOLUTION_NB, SOURCE_NB, TRUTH, grading_run,
                            load_solution_namespace, nbgrader, nbgrader_env, new_course)

__all__ = ["ANSWERS", "ASSIGNMENT", "DATA", "EM", "FUNCTIONS", "NOTEBOOK", "RELEASE_NB", "REPORTS",
           "ROOT", "SCHEDULE", "SOLUTION_NB", "SOURCE_NB", "TRUTH", "grading_run",
           "load_solution_namespace", "nbgrader", "nbgrader_env", "new_course"]
