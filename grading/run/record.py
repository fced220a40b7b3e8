"""One result record per student: what a grading run learnt of each submission, as data.

Every part of the run writes into it or reads from it, and nothing else: intake's notes, the
worker's outcome (graded, or why not), the gradebook's scores, and what the course's nbgrader
steps left in the autograded notebook's metadata, whose keys are defined here once
(``grading.steps.notebook_record.NotebookRecord``). The summary (``grading/run/summary.py``), the class report and the tests
read records; none of them parses nbgrader's log text.

A record is a ``StudentResult`` (with one ``CellResult`` per grade cell); as JSON, it is the
dict ``StudentResult.as_json()`` gives. The run writes one file per student as soon as it is
graded (``.grading/results/<assignment>/<student>.json``, which ``--resume`` reads) and, at the
end, every student's in ``grading_results.json`` beside the summary.
"""
import dataclasses
import json
from pathlib import Path

from nbgrader.api import MissingEntry

from grading.steps.execute import REASONS
from grading.steps.feedback import describe
from grading.steps.notebook_record import NotebookRecord

__all__ = ["CellResult", "NotebookRecord", "StudentResult", "RESULTS", "from_gradebook",
           "not_graded", "read", "read_all", "read_results", "save", "save_all"]

RESULTS = "grading_results.json"  # every student's record, beside grading_summary.txt
FOLDER = Path(".grading") / "results"  # one file per student, under the course


@dataclasses.dataclass
class CellResult:
    """One grade cell of one student."""

    grade_id: str
    section: str          # the function or answer it tests
    behaviour: str        # what it checks, as the feedback's index says it
    score: float
    max_score: float
    extra_credit: float
    passed: bool
    reason: str = ""      # "" or why it lost points: wrong, error (X), no results, bad results,
                          # timeout, memory, crash, ..., with ", held for review" when held
    message: str = ""     # the failing check's message, as the student sees it


@dataclasses.dataclass
class StudentResult:
    """One student's outcome of a grading run: graded (with a score), or why not."""

    student: str
    assignment: str
    graded: bool
    reason: str = ""                 # why not graded
    score: float = None
    max_score: float = None
    extra_credit: float = 0.0
    late_penalty: float = 0.0
    seconds_late: float = 0.0
    seconds: float = 0.0             # how long the notebook ran
    sandbox: str = ""
    held: list = dataclasses.field(default_factory=list)
    held_because: str = ""
    notes: list = dataclasses.field(default_factory=list)  # intake, repairs, flags
    cells: list = dataclasses.field(default_factory=list)  # CellResult

    def as_json(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data):
        data = dict(data)
        data["cells"] = [CellResult(**cell) for cell in data.get("cells", [])]
        return cls(**data)

    def lost(self):
        """{reason: [grade_id, ...]} of the cells that lost points or were held."""
        found = {}
        for cell in self.cells:
            if cell.reason:
                found.setdefault(cell.reason, []).append(cell.grade_id)
        return found


def not_graded(student, assignment, reason, notes=()):
    """The record of a student who has no score: ``reason`` says why."""
    return StudentResult(student, assignment, graded=False, reason=reason, notes=list(notes))


def why_lost(cell, verdict, held):
    """Why a grade cell lost points (or was held): the grader's verdict, else its outputs."""
    errors = [out.get("ename", "") for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    if verdict is not None and not verdict.get("passed", True):
        cause = verdict["reason"]
        if cause == "error" and errors:
            cause = f"error ({errors[0]})"
    else:
        cause = next((REASONS[e] for e in errors if e in REASONS), None)
        if cause is None and errors:
            cause = "wrong" if errors[0] == "AssertionError" else f"error ({errors[0]})"
        if cause is None and any(out.get("name") == "stderr" for out in cell.get("outputs", [])):
            cause = "wrote to stderr"
    if held:
        return f"{cause}, held for review" if cause else "tampering (held for review)"
    return cause or "partial credit"


def from_gradebook(gb, course, assignment, student, notes=()):
    """The record of a graded student, from the gradebook ``gb`` and the autograded notebook.

    Returns ``not_graded(...)`` if the gradebook has no submission of theirs.
    """
    try:
        submission = gb.find_submission(assignment, student)
    except MissingEntry:
        return not_graded(student, assignment, "the gradebook has no submission of theirs", notes)
    result = StudentResult(student, assignment, graded=True, score=submission.score,
                           max_score=submission.max_score, notes=list(notes),
                           seconds_late=float(submission.total_seconds_late or 0.0))
    sandboxes = []
    for nb in submission.notebooks:
        path = Path(course) / "autograded" / student / assignment / f"{nb.name}.ipynb"
        notebook = json.loads(path.read_text()) if path.exists() else {}
        record = NotebookRecord.of(notebook)
        cells = {c["metadata"]["nbgrader"]["grade_id"]: c for c in notebook.get("cells", [])
                 if (c.get("metadata", {}).get("nbgrader") or {}).get("grade")}
        order = list(cells)
        held = set(record.get(NotebookRecord.HELD, []))
        verdicts = record.get(NotebookRecord.VERDICTS, {})
        result.seconds += record.get(NotebookRecord.SECONDS, 0.0)
        result.late_penalty += nb.late_submission_penalty or 0.0
        sandboxes.append(record.get(NotebookRecord.SANDBOX) or "unknown: graded before sandboxes were recorded")
        result.held += [gid for gid in order if gid in held]
        flags = record.get(NotebookRecord.FLAGS, [])
        if held and flags:
            first = min(flag["cell"] for flag in flags)
            result.held_because = next(f"{f['where']}: {f['what']}" for f in flags if f["cell"] == first)
        for grade in sorted(nb.grades, key=lambda g: order.index(g.name) if g.name in order else 0):
            score = grade.score or 0.0
            verdict = verdicts.get(grade.name)
            lost = score < grade.max_score or grade.name in held
            reason = ""
            if lost:
                reason = why_lost(cells[grade.name], verdict, grade.name in held) if grade.name in cells \
                    else "not graded"
            function, behaviour = describe(grade.name)
            result.cells.append(CellResult(
                grade.name, function, behaviour, score, grade.max_score, grade.extra_credit or 0.0,
                passed=not lost, reason=reason,
                message=(verdict or {}).get("message", "") if lost else ""))
            result.extra_credit += grade.extra_credit or 0.0
        repairs = record.get(NotebookRecord.REPAIRS, [])
        if repairs:
            result.notes.append(f"repaired {len(repairs)}: " + "; ".join(repairs[:3])
                                + (" ..." if len(repairs) > 3 else ""))
        for flag in flags[:3]:
            result.notes.append(f"flagged in {flag['where']}: {flag['what']}")
    result.sandbox = "; ".join(sorted(set(sandboxes)))
    return result


def path(course, assignment, student):
    return Path(course) / FOLDER / assignment / f"{student}.json"


def save(course, result):
    """Write one student's record where ``--resume`` and the summary find it."""
    where = path(course, result.assignment, result.student)
    where.parent.mkdir(parents=True, exist_ok=True)
    where.write_text(json.dumps(result.as_json(), indent=1))


def read(course, assignment, student):
    """A student's record from an earlier run, or None."""
    where = path(course, assignment, student)
    return StudentResult.from_json(json.loads(where.read_text())) if where.exists() else None


def read_all(course, assignment, students):
    """Every student's record (a student with none yet: "not graded yet")."""
    return [read(course, assignment, s) or not_graded(s, assignment, "not graded yet") for s in students]


def save_all(course, results):
    """Every student's record in one file, ``grading_results.json``, for the class report."""
    (Path(course) / RESULTS).write_text(json.dumps([r.as_json() for r in results], indent=1))


def read_results(course):
    """Every student's record from ``grading_results.json`` (``save_all``'s file), as StudentResults."""
    return [StudentResult.from_json(r) for r in json.loads((Path(course) / RESULTS).read_text())]
