"""nbgrader configuration of the em-prankster course.

Every nbgrader command run from this folder (``make demo`` runs them for you) reads
this file. Paths are relative to the folder that holds it, so a copy of the course
in a temporary directory (as the tests make) grades in that directory.
"""
import os

from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback, GenerateSolution
from nbgrader.coursedir import CourseDirectory

from grading.steps import course_files, exchange_submit
from grading.pipeline import with_steps

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.course_id = "em-prankster"
# `nbgrader generate_solution` writes the executed solution notebook here.
c.CourseDirectory.solution_directory = "solutions"
# Never copy caches or checkpoints into release/, solutions/ or autograded/, nor an assignment's
# facts (assignment.toml, read by grading/assignments.py), which are for the course's tools.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "assignment.toml"]

# Each list of steps below is nbgrader's own default list with this course's steps put in
# (grading/pipeline.py): a comment says where, and why a default step is replaced.

# The release first leaves out the cells tagged solution-only (grading/steps/solution_only.py).
c.GenerateAssignment.preprocessors = with_steps(
    GenerateAssignment, "preprocessors",
    before={"IncludeHeaderFooter": ["grading.steps.RemoveSolutionOnlyCells"]})

# `nbgrader submit` leaves out the files the course released (the photos, em_grading.py): grading
# uses the course's own (grading/steps/exchange_submit.py). The hub's users get the same setting.
c.ExchangeFactory.submit = exchange_submit.IMPORT_PATH

# What a student sees in place of the solution regions.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograde in two passes, as nbgrader does. Sanitising rebuilds the graded notebook from
# the released one and the student's answers (grading/steps/rebuild.py: tags, edited, deleted or
# reordered test cells and changed nbgrader metadata gain nothing) and notes what it found.
# RebuildNotebook replaces two defaults: DeduplicateIds (a second cell with a graded
# grade_id is kept as an ordinary cell, and noted) and OverwriteCells (every cell but the
# student's answers comes from the release and the gradebook, metadata included).
# First, the files a student handed in beside the notebook leave autograded/, from where the
# formgrader would serve them (grading/steps/handed_in.py; grading.run never stages them).
c.Autograde.sanitize_preprocessors = with_steps(
    Autograde, "sanitize_preprocessors",
    before={"ClearOutput": ["grading.steps.LeaveOutHandedInFiles"]},
    replace={"DeduplicateIds": ["grading.steps.RebuildNotebook"], "OverwriteCells": []})

# Executing runs the cells under limits one submission cannot break (grading/steps/execute.py).
# A cell may run for Execute.timeout seconds: the slowest correct style in tests/corpus (a
# double loop over images and offsets) needs about 9 s in its slowest cell and 11 s in all,
# with the other core busy. The whole notebook may take submission_timeout seconds; the
# kernel may use memory_limit_mib of address space (every correct style grades within it).
# GuardedExecute replaces nbgrader's Execute (it is Execute with the limits and the sandbox).
# The kernel is lent the course's files (hard links to source/'s) while it runs, in place of
# nbgrader's copy of them for every student; they leave the graded folder as soon as it stops
# (grading/steps/course_files.py).
c.Autograde.autograde_preprocessors = with_steps(
    Autograde, "autograde_preprocessors",
    before={"Execute": ["grading.steps.LinkCourseFiles"]},
    replace={"Execute": ["grading.steps.GuardedExecute"]},
    after={"Execute": ["grading.steps.UnlinkCourseFiles"],
           "SaveAutoGrades": ["grading.steps.AwardBonus", "grading.steps.HoldForReview"]})
c.Autograde.exclude_overwriting = course_files.not_copied(CourseDirectory(config=c))
# Each kernel runs in a bubblewrap sandbox (grading/sandbox/bwrap.py): it sees only its own
# submission's files, has no network, its own processes, an unprivileged user, a fair share
# of the processor and at most max_processes processes and threads. If no sandbox can be
# made here, grading stops and says why; sandbox = False (or grading.run's
# --no-sandbox) grades without it, and the summary says so for every student.
c.GuardedExecute.sandbox = True
c.GuardedExecute.max_processes = 128
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
c.GuardedExecute.submission_timeout = 600
c.GuardedExecute.memory_limit_mib = 4096
c.GuardedExecute.max_output_bytes = 2_000_000
# After nbgrader saves its grades, the bonus cells of the optional hard-EM part (grade_id
# ending in _hard, 0 points each) become extra credit (grading/steps/bonus.py), and the test
# cells after code flagged by grading/steps/scan.py are held for review (grading/steps/review.py).
c.AwardBonus.points = 1.0

# numpy's RuntimeWarnings (say, log(0) in a correct solution) go to stderr, and nbgrader
# gives a test cell with any stderr output 0 points. Drop warnings from the outputs before
# grading, so that only a failing check costs points.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\w*Warning: "

# Feedback shows each failing check's message, never the hidden tests' code
# (grading/steps/feedback.py says why both steps are needed), under an index that names each test
# cell's function and behaviour (grading/render/templates/feedback_by_function).
c.GenerateFeedback.preprocessors = with_steps(
    GenerateFeedback, "preprocessors",
    after={"GetGrades": ["grading.steps.ShortTracebacks", "grading.steps.ScoreIndex",
                         # nbgrader's ClearHiddenTests, on test cells only
                         "grading.steps.ClearHiddenTestRegions"]})

# The feedback's template is set for generate_feedback's exporter only (grading.steps.feedback.FeedbackExporter):
# HTMLExporter's template, below, is the formgrader's submission view, which the feedback's would break.
c.GenerateFeedback.exporter_class = "grading.steps.FeedbackExporter"
c.FeedbackExporter.template_name = "feedback_by_function"
c.FeedbackExporter.template_file = "feedback_by_function.html.j2"  # extends nbgrader's index.html.j2
c.FeedbackExporter.extra_template_basedirs = [  # ours, and nbgrader's own (which it extends)
    os.path.join(COURSE_ROOT, "grading", "render", "templates"),
    os.path.join(os.path.dirname(__import__("nbgrader").__file__),
                 "server_extensions", "formgrader", "templates"),
]

# Nothing a student wrote runs in a browser (grading/steps/sanitize.py). Every HTMLExporter built from
# this configuration, the formgrader's and the feedback's (FeedbackExporter, above), first
# cleans the notebook (outputs, attachments, cell fields) and renders markdown through the
# course's filter, which cleans it too (nbgrader's templates render markdown without nbconvert's
# sanitizer). The formgrader shows a submission with the course's template: nbgrader's, with no
# inline script, so that its Content-Security-Policy (grading/render/formgrader_guard.py) can forbid
# every script but its own.
c.HTMLExporter.preprocessors = ["grading.steps.EmbedCourseImages",  # the lineup, in the page
                                "grading.steps.DescribeStudentFigures",  # alt text
                                "grading.steps.SanitizeNotebook"]
c.HTMLExporter.filters = {"markdown2html": "grading.steps.markdown2html"}
c.HTMLExporter.template_name = "formgrade_guarded"
c.HTMLExporter.template_file = "formgrade_guarded.html.j2"  # extends nbgrader's formgrade template
c.HTMLExporter.extra_template_basedirs = c.FeedbackExporter.extra_template_basedirs

# `make solutions` gives the same files byte for byte in every run (tests/test_sync.py compares
# them): no per-cell timestamps in executed notebooks, and after nbgrader's own steps,
# consecutive stream outputs merged, because one print() reaches the notebook as one output
# or as several depending on when the kernel flushed. The solution notebook runs with its own
# cell limit, and a cell that fails or times out stops the build (grading/steps/solution_only.py).
c.Execute.record_timing = False
# ExecuteSolution replaces nbgrader's Execute in generate_solution.
c.GenerateSolution.preprocessors = with_steps(
    GenerateSolution, "preprocessors",
    replace={"Execute": ["grading.steps.ExecuteSolution"]},
    after={"Execute": ["nbconvert.preprocessors.CoalesceStreamsPreprocessor"]})
c.ExecuteSolution.timeout = 600
c.CoalesceStreamsPreprocessor.enabled = True  # nbconvert's preprocessors are off until enabled

# --- The gradebook on a server, late submissions ----------------------------------------------
# The gradebook is gradebook.db in this folder (nbgrader's SQLite default) unless
# EM_PRANKSTER_DB_URL names a server, such as postgresql://grader@127.0.0.1:5432/em_prankster
# (psycopg is in the hub's environment, hub/requirements.txt). A server takes concurrent
# writers: grading.run's workers then write to it directly (grading/run/gradebook.py).
if os.environ.get("EM_PRANKSTER_DB_URL"):
    c.CourseDirectory.db_url = os.environ["EM_PRANKSTER_DB_URL"]
# A submission after the assignment's due date (nbgrader db assignment add em_prankster
# --duedate=...) loses 10 points per started hour late, never more than its score
# (grading/steps/late.py; nbgrader's AssignLatePenalties step above applies it).
c.AssignLatePenalties.plugin_class = "grading.steps.PenaltyPerHour"
c.PenaltyPerHour.points_per_hour = 10.0
