"""nbgrader's steps as this course extends them: preprocessors, an exporter and a plugin.

``nbgrader_config.py`` puts each into nbgrader's own lists (``grading/pipeline.py``):

- ``rebuild`` (``RebuildNotebook``): autograde grades the released notebook with the student's
  answers in it; ``scan`` lists the student's code that reaches into the grading;
- ``handed_in`` (``LeaveOutHandedInFiles``): files handed in beside the notebook stay out;
- ``course_files`` (``LinkCourseFiles``, ``UnlinkCourseFiles``): the kernel is lent the course's
  own files (hard links) while it runs, so no student's folder holds a copy of the photos;
- ``exchange_submit`` (``SubmitWithoutCourseFiles``): ``nbgrader submit`` leaves the course's
  released files out of the exchange;
- ``execute`` (``GuardedExecute``): nbgrader's Execute under limits, in the sandbox, with every
  test cell's verdict reached outside the kernel (``grading/verdicts/``);
- ``bonus`` (``AwardBonus``), ``review`` (``HoldForReview``), ``late`` (``PenaltyPerHour``):
  extra credit, points held for review, the late penalty;
- ``feedback`` (``FeedbackExporter``, ``ShortTracebacks``, ``ScoreIndex``,
  ``ClearHiddenTestRegions``) and ``sanitize`` (``SanitizeNotebook``, ``markdown2html``): what
  students and the formgrader are shown; ``html_images`` (``EmbedCourseImages``,
  ``DescribeStudentFigures``) puts the course's images in those pages and gives every figure
  alt text;
- ``solution_only`` (``RemoveSolutionOnlyCells``, ``ExecuteSolution``): the solutions' notes;
- ``notebook_record`` (``NotebookRecord``): what the steps record in each autograded notebook.
"""
from grading.steps.bonus import AwardBonus
from grading.steps.course_files import LinkCourseFiles, UnlinkCourseFiles
from grading.steps.exchange_submit import SubmitWithoutCourseFiles
from grading.steps.execute import GuardedExecute
from grading.steps.feedback import ClearHiddenTestRegions, FeedbackExporter, ScoreIndex, ShortTracebacks
from grading.steps.handed_in import LeaveOutHandedInFiles
from grading.steps.html_images import DescribeStudentFigures, EmbedCourseImages
from grading.steps.late import PenaltyPerHour
from grading.steps.notebook_record import NotebookRecord
from grading.steps.rebuild import RebuildNotebook
from grading.steps.review import HoldForReview
from grading.steps.sanitize import SanitizeNotebook, markdown2html
from grading.steps.solution_only import ExecuteSolution, RemoveSolutionOnlyCells

__all__ = ["AwardBonus", "ClearHiddenTestRegions", "DescribeStudentFigures", "EmbedCourseImages",
           "ExecuteSolution", "FeedbackExporter", "GuardedExecute", "HoldForReview",
           "LeaveOutHandedInFiles", "LinkCourseFiles", "NotebookRecord", "PenaltyPerHour",
           "RebuildNotebook", "RemoveSolutionOnlyCells", "SanitizeNotebook", "ScoreIndex",
           "ShortTracebacks", "SubmitWithoutCourseFiles", "UnlinkCourseFiles", "markdown2html"]
