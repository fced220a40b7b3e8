"""Cells for the solution notebook only: tagged ``solution-only`` in source/.

The source notebook is the only hand-written notebook, so the notes that readers of the
solution get after the deadline (how the reference solution is fast, with a timing
table) live there too, in cells tagged ``solution-only``. ``RemoveSolutionOnlyCells``
drops them when nbgrader generates the release; ``nbgrader generate_solution`` keeps
and executes them.
"""
from nbgrader.preprocessors import NbGraderPreprocessor

TAG = "solution-only"


class RemoveSolutionOnlyCells(NbGraderPreprocessor):
    """Drop every cell tagged ``solution-only``."""

    def preprocess(self, nb, resources):
        nb.cells = [cell for cell in nb.cells if TAG not in cell.get("metadata", {}).get("tags", [])]
        return nb, resources
