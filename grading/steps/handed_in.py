"""Files a student hands in beside the notebook do not reach ``autograded/``, under plain autograde too.

``nbgrader autograde`` copies every file of ``submitted/<student>/<assignment>/`` into
``autograded/<student>/<assignment>/`` (then puts the assignment's own files back over
the student's copies), and the formgrader serves that folder from the instructor's own
origin: an ``.html`` page handed in there would run as the instructor at one click, and
``nbgrader generate_feedback`` would copy it into the feedback. ``grading.run.parallel``
never stages such files (``grading/run/intake.py``); ``LeaveOutHandedInFiles``, the first step of
autograde's first pass (``nbgrader_config.py``), removes them when ``nbgrader autograde`` is run
by hand: every file of the autograded folder that is neither a notebook nor one of the
assignment's released files (``intake.course_files``). The kernel never needed them: its
sandbox holds only the assignment's files.
"""
import os

from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from grading.run import intake


class LeaveOutHandedInFiles(NbGraderPreprocessor):
    """Remove from the autograded folder what the student handed in beside the notebook."""

    def preprocess(self, nb, resources):
        student = resources["nbgrader"]["student"]
        assignment = resources["nbgrader"]["assignment"]
        coursedir = CourseDirectory(config=self.config)
        graded = coursedir.format_path(coursedir.autograded_directory, student, assignment)
        released = coursedir.format_path(coursedir.release_directory, ".", assignment)
        keep = intake.course_files(released)
        left_out = [name for name in intake.files_in(graded)
                    if name not in keep and not name.endswith(".ipynb")]
        for name in left_out:
            os.remove(os.path.join(graded, name))
        if left_out:
            self.log.warning("Left out of %s what %s handed in beside the notebook: %s",
                             graded, student, ", ".join(left_out))
        return nb, resources
