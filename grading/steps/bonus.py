"""Extra credit for the optional hard-EM tests, which nbgrader cannot autograde by itself.

The bonus test cells (grade_id ending in ``_hard``) are grade cells worth 0 points, so they
never count towards the maximum. After nbgrader has saved its grades, ``AwardBonus`` sets the
``extra_credit`` field of each such cell's grade in the gradebook: ``points`` when the cell ran
without an error, 0 otherwise. nbgrader adds extra credit to the score everywhere (the
formgrader, ``nbgrader export``, feedback), so a student can end above 100 %. The points come from
this configuration, not from the submitted notebook, so editing the notebook cannot raise them.
"""
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import has_failed, is_grade
from traitlets import Float, Unicode


class AwardBonus(NbGraderPreprocessor):
    """Turn passing bonus cells into extra credit."""

    suffix = Unicode("_hard", help="grade_id ending of the bonus cells").tag(config=True)
    points = Float(1.0, help="extra credit for each passing bonus cell").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            for cell in nb.cells:
                if not (is_grade(cell) and cell.metadata.nbgrader.grade_id.endswith(self.suffix)):
                    continue
                grade = gb.find_grade(cell.metadata.nbgrader.grade_id, info["notebook"],
                                      info["assignment"], info["student"])
                # failed as nbgrader judges a test cell: an error or anything on stderr
                grade.extra_credit = 0.0 if has_failed(cell) else self.points
            gb.db.commit()
        return nb, resources
