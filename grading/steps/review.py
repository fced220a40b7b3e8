"""Points that code flagged by ``grading/steps/scan.py`` could have bought are held for review.

Code in the same process as the tests can, in principle, change what a test sees. The
common ways are neutralised at run time; for the rest, ``HoldForReview`` runs after
nbgrader has saved its grades and, in a notebook with flagged code, sets every test cell
from the first flagged cell on to 0 points and "needs manual grading". The formgrader
then lists the submission for review, with the reasons in ``grading/run/summary.py``'s
report, and an instructor who finds the code harmless gives the points back by hand.
Test cells before the first flagged cell keep their points.
"""
from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade

from grading.steps.notebook_record import NotebookRecord


class HoldForReview(NbGraderPreprocessor):
    """Zero, and mark for manual grading, the test cells after flagged code."""

    def preprocess(self, nb, resources):
        flags = NotebookRecord.of(nb).get(NotebookRecord.FLAGS, [])
        if not flags:
            return nb, resources
        first = min(flag["cell"] for flag in flags)
        reason = next(f"{flag['where']}: {flag['what']}" for flag in flags if flag["cell"] == first)
        info = resources["nbgrader"]
        held = []
        with Gradebook(info["db_url"]) as gb:
            for index, cell in enumerate(nb.cells):
                if index < first or not is_grade(cell):
                    continue
                meta = cell.metadata.nbgrader
                grade = gb.find_grade(meta["grade_id"], info["notebook"], info["assignment"],
                                      info["student"])
                grade.auto_score, grade.extra_credit = 0.0, 0.0
                grade.needs_manual_grade = True
                held.append(meta["grade_id"])
                cell.outputs.append(NotebookNode(output_type="stream", name="stdout", text=(
                    f"[grader] This cell's points are held for the instructor's review, because "
                    f"of code in {reason}.\n")))
            gb.db.commit()
        NotebookRecord.setdefault(nb)[NotebookRecord.HELD] = held
        self.log.warning("%s: %d test cells held for review (flagged code)", info["student"], len(held))
        return nb, resources
