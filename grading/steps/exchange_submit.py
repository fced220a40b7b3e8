"""``nbgrader submit`` without the course's own files: a submission carries the student's work.

nbgrader's submit copies the whole assignment folder into the exchange (and into the student's
submission cache), so every submission carried the 20 MB of photos the student had fetched,
and ``nbgrader collect`` copied them on into ``submitted/``. Grading never reads a student's
copy of a released file: the kernel is lent the course's own (``grading/steps/course_files.py``).
``SubmitWithoutCourseFiles`` is nbgrader's ``ExchangeSubmit`` that leaves out every file the
course released beside the notebooks (its names in the exchange's ``outbound/<assignment>/``:
``data_em.npy``, ``em_grading.py``, ``lineup.png``); the notebooks and anything else the
student wrote are submitted as before, with ``timestamp.txt`` and ``submission_secret.txt``.

nbgrader chooses its exchange classes through ``ExchangeFactory``, a documented extension
point: ``c.ExchangeFactory.submit = IMPORT_PATH``, in the course's ``nbgrader_config.py`` and in
every hub user's settings (``hub/hubctl.py``).
A file of the same name as a released file is left out in any subfolder too (nbgrader's
``CourseDirectory.ignore`` globs match names, not paths).
"""
import os
import re

from nbgrader.exchange.default import ExchangeSubmit


def exact_name_glob(name):
    """A glob (``fnmatch``) that matches ``name`` and nothing else."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def released_names(release_path):
    """The names of the files released beside the notebooks in ``release_path``.

    Parameters
    ----------
    release_path : path-like
        The assignment's folder in the exchange's ``outbound/`` (or ``release/``).

    Returns
    -------
    list of str
        File names (not paths), sorted, notebooks left out.
    """
    return sorted({name for _, _, files in os.walk(release_path) for name in files
                   if not name.endswith(".ipynb")})


class SubmitWithoutCourseFiles(ExchangeSubmit):
    """nbgrader's submit, leaving out the files the course released (module docstring)."""

    def do_copy(self, src, dest, log=None):
        """nbgrader's copy of ``src`` into ``dest``, with the released files' names ignored too."""
        ignore = self.coursedir.ignore
        left_out = [exact_name_glob(n) for n in released_names(self.release_path)]
        self.coursedir.ignore = list(ignore) + left_out
        try:
            return super().do_copy(src, dest, log=log)
        finally:
            self.coursedir.ignore = ignore


#: What ``c.ExchangeFactory.submit`` is set to.
IMPORT_PATH = f"{__name__}.{SubmitWithoutCourseFiles.__qualname__}"
