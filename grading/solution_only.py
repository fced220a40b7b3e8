"""Cells for the solution notebook only: tagged ``solution-only`` in source/.

The source notebook is the only hand-written notebook, so the notes that readers of the
solution get after the deadline (what EM found, why the reference solution is fast, EM
against hard-EM) live there too, in cells tagged ``solution-only``. ``RemoveSolutionOnlyCells``
drops them when nbgrader generates the release; ``nbgrader generate_solution`` keeps
and executes them, with ``ExecuteSolution``.
"""
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool

TAG = "solution-only"


class RemoveSolutionOnlyCells(NbGraderPreprocessor):
    """Drop every cell tagged ``solution-only``."""

    def preprocess(self, nb, resources):
        nb.cells = [cell for cell in nb.cells if TAG not in cell.get("metadata", {}).get("tags", [])]
        return nb, resources


class ExecuteSolution(Execute):
    """nbgrader's Execute for ``nbgrader generate_solution``: the instructor's run of the source.

    A student's cell may run ``Execute.timeout`` seconds. The solution-only comparisons (EM
    against hard-EM from five starts each) take longer than that on a busy machine, so these
    cells get their own limit, ``ExecuteSolution.timeout`` in ``nbgrader_config.py``. And a cell
    that fails or runs out of time stops ``nbgrader generate_solution`` with an error, instead
    of leaving its traceback in the committed solution notebook.
    """

    allow_errors = Bool(False)
