"""What students see in their feedback: each failing check's message, not the tests.

nbgrader's feedback is the autograded notebook rendered as HTML, hidden tests and all.
``ShortTracebacks`` keeps only the last line of an error ("AssertionError: <message>"),
because a traceback quotes the test code around the failing line; nbgrader's own
``ClearHiddenTests`` then removes the hidden regions from the cells' source.
"""
from nbgrader.preprocessors import NbGraderPreprocessor


class ShortTracebacks(NbGraderPreprocessor):
    """Replace each error output's traceback by its one-line summary."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
