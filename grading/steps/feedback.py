"""What students see in their feedback: each failing check's message, not the tests.

nbgrader's feedback is the autograded notebook rendered as HTML, hidden tests and all.
``ShortTracebacks`` keeps only the last line of an error ("AssertionError: <message>"),
because a traceback quotes the test code around the failing line; ``ClearHiddenTestRegions``
then removes the hidden regions from the test cells' source.
"""
import re

from nbconvert.exporters import HTMLExporter
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets import List


class FeedbackExporter(HTMLExporter):
    """The HTML exporter of ``nbgrader generate_feedback`` only (``c.GenerateFeedback.exporter_class``).

    The feedback template (``feedback_by_function``) is configured for this class, not for
    every HTMLExporter: the formgrader renders submissions with an HTMLExporter and its own
    ``formgrade`` template, which a course-wide HTMLExporter setting would replace.
    """


class FeedbackStep(NbGraderPreprocessor):
    """An nbgrader step of the feedback's exporter that takes the exporter's settings.

    nbconvert's HTMLExporter sets ``display_data_priority`` for every preprocessor it runs
    (``NbConvertBase``, in its default configuration); nbgrader's ``NbGraderPreprocessor``
    declares that trait again without ``config=True``, so each nbgrader step of the feedback
    would refuse the setting and say so on every run. Declared configurable here, as nbconvert
    has it.
    """

    display_data_priority = List(NbGraderPreprocessor.display_data_priority.default_value).tag(config=True)


class ShortTracebacks(FeedbackStep):
    """Replace each error output's traceback by its one-line summary."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


class ClearHiddenTestRegions(FeedbackStep, ClearHiddenTests):
    """nbgrader's ClearHiddenTests, on test cells only.

    Hidden tests live only in test cells, which grading rebuilds from the gradebook. The
    student's own cells are left as written: nbgrader's step would fail the whole feedback of
    a student who typed the words that mark a hidden region in one of them.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if not utils.is_grade(cell) or utils.is_solution(cell):
            return cell, resources
        return super().preprocess_cell(cell, resources, cell_index)


GRADE_ID = re.compile(r"^(?P<function>.+?)_(?P<kind>visible|loops|hard|hidden)(?:_(?P<what>.+))?$")
KINDS = {"visible": "the visible test", "loops": "the seed's loop limit",
         "hard": "hard-EM (bonus)"}


def describe(grade_id):
    """(function, behaviour) a test cell checks, from its grade_id (``run_EM_hidden_early_stop``
    -> ``("run_EM", "early stop")``)."""
    match = GRADE_ID.match(grade_id)
    if not match:
        return grade_id, "test"
    kind, what = match["kind"], match["what"]
    if kind == "hidden":
        return match["function"], what.replace("_", " ") if what else "the answer"
    return match["function"], KINDS[kind]


#: The longest message the index shows (the cell's own output below it has all of it).
INDEX_MESSAGE_CHARS = 4000


def index_message(ename, evalue, limit=INDEX_MESSAGE_CHARS):
    """A failing check's whole message for the index, every line of it ("returned nan or inf
    values:" and the values after it), cut only past ``limit`` characters, saying so."""
    message = f"{ename}: {evalue}".rstrip()
    if len(message) <= limit:
        return message
    return message[:limit].rstrip() + f"\n... ({len(message) - limit} more characters in the cell below)"


class ScoreIndex(FeedbackStep):
    """Name each test cell for the feedback's index: function, behaviour, score, message.

    Stored in ``cell.metadata.feedback`` for the template ``feedback_by_function``
    (grading/render/templates/), which lists them at the top of the student's feedback in place
    of nbgrader's "Test cell" entries. The message is the failing check's whole message
    (``index_message``), which the template shows with its line breaks.
    """

    def preprocess_cell(self, cell, resources, index):
        if not utils.is_grade(cell) or utils.is_solution(cell):
            cell.metadata.pop("feedback", None)  # a student's cell cannot add rows to the index
            return cell, resources
        meta = cell.metadata.nbgrader
        function, behaviour = describe(meta["grade_id"])
        score, points = float(meta.get("score") or 0), float(meta.get("points") or 0)
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        message = index_message(errors[0].ename, errors[0].evalue) if errors else ""
        cell.metadata["feedback"] = {
            "function": function, "behaviour": behaviour, "score": f"{score:g} / {points:g}",
            "lost": score < points, "message": message}
        return cell, resources
