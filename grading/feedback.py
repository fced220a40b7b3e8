"""What students see in their feedback: each failing check's message, not the tests.

nbgrader's feedback is the autograded notebook rendered as HTML, hidden tests and all.
``ShortTracebacks`` keeps only the last line of an error ("AssertionError: <message>"),
because a traceback quotes the test code around the failing line; ``ClearHiddenTestRegions``
then removes the hidden regions from the test cells' source.
"""
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor


class ShortTracebacks(NbGraderPreprocessor):
    """Replace each error output's traceback by its one-line summary."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


class ClearHiddenTestRegions(ClearHiddenTests):
    """nbgrader's ClearHiddenTests, on test cells only.

    Hidden tests live only in test cells, which grading rebuilds from the gradebook. The
    student's own cells are left as written: nbgrader's step would fail the whole feedback of
    a student who typed the words that mark a hidden region in one of them.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if not utils.is_grade(cell) or utils.is_solution(cell):
            return cell, resources
        return super().preprocess_cell(cell, resources, cell_index)
