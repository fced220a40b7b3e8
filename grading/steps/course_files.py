"""The course's files (the photos, em_grading.py, the lineup) exist once: graded notebooks borrow them.

nbgrader's autograde copies every file of ``source/<assignment>/`` but the notebooks into each
student's ``autograded/<student>/<assignment>/`` (20 MB of photos per student), and
``nbgrader generate_feedback`` copies whatever is there into ``feedback/<student>/``. Here the
kernel that runs a submission is lent the course's own files instead, for the time it runs:

- ``Autograde.exclude_overwriting`` (``nbgrader_config.py``, from ``not_copied``) stops nbgrader's
  copy of them into the graded folder;
- ``LinkCourseFiles``, just before the kernel starts, puts each of them there as a hard link to
  ``source/<assignment>/``'s file, replacing anything of that name a student handed in, so a
  student who changed the data is graded with the course's data, as before. The sandbox
  (``grading/sandbox/bwrap.py``) binds them read-only. A hard link costs no space; across file
  systems, or when grading without the sandbox (``GuardedExecute.sandbox = False``), where the
  student's code could write through a link into ``source/``, each is a copy;
- ``UnlinkCourseFiles``, as soon as the kernel has stopped, removes them again: the graded
  folder keeps the notebook and nbgrader's ``timestamp.txt`` and ``submission_secret.txt``
  (``nbgrader release_feedback`` reads them from the feedback folder), so nbgrader's later
  steps neither make the course's files read-only through the links (it sets every file of
  the graded folder to mode 444) nor copy them into the feedback.

The pages made from a graded notebook embed the images they show (``grading/steps/html_images.py``).
"""
import os
import shutil

from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import find_all_files


def course_files(source_folder, ignore):
    """The files nbgrader's autograde would copy from an assignment's source folder.

    Parameters
    ----------
    source_folder : path-like
        ``source/<assignment>/``.
    ignore : list of str
        ``CourseDirectory.ignore``: the globs nbgrader leaves out.

    Returns
    -------
    list of str
        Paths relative to ``source_folder``, sorted (``data_em.npy``, ``em_grading.py``, ...).
    """
    source_folder = os.fspath(source_folder)
    return sorted(os.path.relpath(path, source_folder)
                  for path in find_all_files(source_folder, list(ignore) + ["*.ipynb"]))


def not_copied(coursedir):
    """``Autograde.exclude_overwriting``: for every assignment in ``source/``, its course files.

    Parameters
    ----------
    coursedir : nbgrader.coursedir.CourseDirectory
        The course (its root, source directory and ignored globs).

    Returns
    -------
    dict of str to list of str
        ``{assignment: course_files(...)}``.
    """
    source = os.path.join(coursedir.root, coursedir.source_directory)
    if not os.path.isdir(source):
        return {}
    return {name: course_files(os.path.join(source, name), coursedir.ignore)
            for name in sorted(os.listdir(source)) if os.path.isdir(os.path.join(source, name))}


class CourseFilesStep(NbGraderPreprocessor):
    """Where a notebook being autograded is, and its assignment's course files."""

    def folders(self, resources):
        """(``source/<assignment>/``, the graded folder ``autograded/<student>/<assignment>/``)."""
        info = resources["nbgrader"]
        coursedir = CourseDirectory(config=self.config)
        return (coursedir.format_path(coursedir.source_directory, ".", info["assignment"]),
                coursedir.format_path(coursedir.autograded_directory, info["student"],
                                      info["assignment"]))

    def sandboxed(self):
        """Will the kernel run in the sandbox, which binds these files read-only?"""
        from grading.steps.execute import GuardedExecute  # imports the kernel machinery: only here
        return GuardedExecute(config=self.config).sandbox


class LinkCourseFiles(CourseFilesStep):
    """Lend the kernel the course's files: hard links (copies without the sandbox)."""

    def preprocess(self, nb, resources):
        source, graded = self.folders(resources)
        link = self.sandboxed()
        for name in course_files(source, CourseDirectory(config=self.config).ignore):
            target = os.path.join(graded, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.lexists(target):
                os.remove(target)  # what the student handed in under that name
            try:
                if not link:
                    raise OSError("without the sandbox the kernel could write through a link")
                os.link(os.path.join(source, name), target)
            except OSError:  # another file system, or no sandbox
                shutil.copy(os.path.join(source, name), target)
        return nb, resources


class UnlinkCourseFiles(CourseFilesStep):
    """Take the course's files out of the graded folder once the kernel has stopped."""

    def preprocess(self, nb, resources):
        source, graded = self.folders(resources)
        for name in course_files(source, CourseDirectory(config=self.config).ignore):
            target = os.path.join(graded, name)
            if os.path.lexists(target):
                os.remove(target)
        return nb, resources
