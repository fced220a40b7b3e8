"""nbgrader configuration of the em-prankster course.

Every nbgrader command run from this folder (``make demo`` runs them for you) reads
this file. Paths are relative to the folder that holds it, so a copy of the course
in a temporary directory (as the tests make) grades in that directory.
"""
import os
import sys

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, COURSE_ROOT)  # for grading/, this course's additions to nbgrader

c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.course_id = "em-prankster"
# `nbgrader generate_solution` writes the executed solution notebook here.
c.CourseDirectory.solution_directory = "solutions"
# Never copy caches or checkpoints into release/, solutions/ or autograded/.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# The release leaves out the cells tagged solution-only (grading/solution_only.py);
# the rest is nbgrader's own list of steps.
c.GenerateAssignment.preprocessors = [
    "grading.solution_only.RemoveSolutionOnlyCells",
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# What a student sees in place of the solution regions.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Executing a notebook: a cell may take up to this many seconds (the slow but correct
# double loop over images and offsets fits in it).

c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True

# After nbgrader saves its grades, the bonus cells of the optional hard-EM part (grade_id
# ending in _hard, 0 points each) become extra credit (grading/bonus.py).
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "grading.bonus.AwardBonus",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.AwardBonus.points = 1.0

# numpy's RuntimeWarnings (say, log(0) in a correct solution) go to stderr, and nbgrader
# gives a test cell with any stderr output 0 points. Drop warnings from the outputs before
# grading, so that only a failing check costs points.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\w*Warning: "

# Feedback shows each failing check's message, never the hidden tests' code
# (grading/feedback.py says why both steps are needed).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "grading.feedback.ShortTracebacks",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# No per-cell timestamps in executed notebooks: regenerating solutions/ changes only what
# the cells print.
c.Execute.record_timing = False
