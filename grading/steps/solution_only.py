"""Cells for the solution notebook only: tagged ``solution-only`` in source/.

The source notebook is the only hand-written notebook, so the notes that readers of the
solution get after the deadline (what EM found, why the reference solution is fast, EM
against hard-EM) live there too, in cells tagged ``solution-only``. ``RemoveSolutionOnlyCells``
drops them when nbgrader generates the release; ``nbgrader generate_solution`` keeps
and executes them, with ``ExecuteSolution``.
"""
import os
import tempfile

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
    cells get their own limit, ``ExecuteSolution.timeout`` in ``nbgrader_config.py``. A cell
    that fails or runs out of time stops ``nbgrader generate_solution`` with an error, instead
    of leaving its traceback in the committed solution notebook. The kernel runs with
    ``NO_TIMING`` set, and talks to nbgrader through Unix sockets in a private folder (the
    ``ipc`` transport, as the grading sandbox's kernels do) rather than TCP on localhost, which
    ipykernel warns about on every run.
    """

    allow_errors = Bool(False)

    #: Set in the kernel's environment: the notebook's timing cell (EM against hard-EM, in
    #: seconds) then does not run, so the solution notebook is the same byte for byte in every
    #: run; its solution-only comparison counts instead of timing.
    NO_TIMING = "EM_PRANKSTER_NO_TIMING"

    def preprocess(self, nb, resources=None, km=None):
        with tempfile.TemporaryDirectory(prefix="em-solution-kernel-") as sockets:
            self._sockets = sockets
            return super().preprocess(nb, resources, km=km)

    def create_kernel_manager(self):
        """nbclient's kernel manager, connecting through Unix sockets in ``self._sockets``."""
        km = super().create_kernel_manager()
        km.transport = "ipc"
        km.cache_ports = False  # ports are socket names here
        km.ip = os.path.join(self._sockets, "kernel")
        return km

    def start_new_kernel(self, **kwargs):
        kwargs["env"] = {**os.environ, **kwargs.get("env", {}), self.NO_TIMING: "1"}
        return super().start_new_kernel(**kwargs)
