"""What the course's nbgrader steps record in each autograded notebook, and under which keys.

The steps write it into the notebook's metadata; the grading run reads it into each
student's result record (grading/run/record.py). The keys are defined here, once.
"""

__all__ = ["NotebookRecord"]


class NotebookRecord:
    """The keys of ``nb.metadata["grading"]``, the record the course's nbgrader steps keep in
    each autograded notebook: written by grading/steps/rebuild.py (``REPAIRS``, ``FLAGS``),
    grading/steps/execute.py (``SECONDS``, ``SANDBOX``, ``VERDICTS``) and
    grading/steps/review.py (``HELD``)."""

    KEY = "grading"
    REPAIRS = "repairs"    # list of str: what the rebuild put back
    FLAGS = "flags"        # list of {"cell", "where", "what"}: code the scan flagged
    SECONDS = "seconds"    # float: how long the notebook ran
    SANDBOX = "sandbox"    # str: how its kernel was isolated (grading.sandbox.NONE: not)
    VERDICTS = "verdicts"  # {grade_id: {"passed", "reason", "message"}}: the grader's verdicts
    HELD = "held"          # list of grade_ids held for review

    @classmethod
    def of(cls, nb):
        """The record of a notebook (a dict; empty if it has none)."""
        return (nb.get("metadata", {}) or {}).get(cls.KEY, {}) or {}

    @classmethod
    def setdefault(cls, nb):
        """The notebook's record, made if missing, to write into."""
        return nb.metadata.setdefault(cls.KEY, {})
