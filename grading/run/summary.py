"""What a grading run tells the instructor: one line per student, and every cell's score.

``grading_summary.txt`` has one line per student in ``submitted/``: the score, the
seconds its notebook ran and whether its kernel ran in the sandbox (``sandboxed``;
``sandboxed  (no cgroup limits)`` where the host gave the kernels no control group, see
grading/sandbox/control_groups.py; or ``NOT SANDBOXED`` when grading was run with ``--no-sandbox``),
or why there is no score; then the cells that lost points,
grouped by why (wrong, error, timeout, memory, crash, held for review); then what grading
repaired or flagged in the notebook. ``grades_by_cell.csv`` has one row per student and
grade cell, beside the totals that ``nbgrader export`` writes. Both are written from the
students' result records (grading/run/record.py), which every run leaves, so they cover every
run, resumed or not.
"""
import csv
from pathlib import Path

from grading.sandbox.control_groups import NO_CGROUP

TEXT = "grading_summary.txt"
CSV = "grades_by_cell.csv"
FIELDS = ["student", "notebook", "grade_id", "score", "max_score", "extra_credit", "reason",
          "sandbox"]


def how_isolated(sandbox):
    """What a student's line says of how their kernels ran, from their record's ``sandbox``
    (``grading.sandbox.Sandbox.description()``s, or ``grading.sandbox.NONE``)."""
    if not all(part.startswith("bubblewrap") for part in sandbox.split("; ")):
        return "NOT SANDBOXED"
    if NO_CGROUP in sandbox:  # grading.run warned about it at the start
        return "sandboxed  (no cgroup limits)"
    return "sandboxed"


def line(result):
    """One student's line of the summary, from their record (grading/run/record.py)."""
    if not result.graded:
        return f"{result.student:<24} {'-':>8} {'':>7}  not graded: {result.reason}"
    score = f"{result.score:g}/{result.max_score:g}"
    parts = [f"{reason} ({len(ids)}): {', '.join(ids)}" for reason, ids in result.lost().items()]
    text = (f"{result.student:<24} {score:>8} {result.seconds:>5.0f} s  {how_isolated(result.sandbox)}  "
            + ("; ".join(parts) if parts else "full marks"))
    return text + ("  | " + " | ".join(result.notes) if result.notes else "")


def rows(result):
    """One student's rows of the per-cell CSV."""
    return [{"student": result.student, "notebook": result.assignment, "grade_id": cell.grade_id,
             "score": cell.score, "max_score": cell.max_score, "extra_credit": cell.extra_credit,
             "reason": cell.reason, "sandbox": result.sandbox} for cell in result.cells]


def write(course, results):
    """Write TEXT and CSV in ``course`` from the students' records; return the summary text."""
    course = Path(course)
    text = "\n".join(line(r) for r in results) + "\n"
    (course / TEXT).write_text(text)
    with open(course / CSV, "w", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        for result in results:
            writer.writerows(rows(result))
    return text
