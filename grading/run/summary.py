"""What a grading run tells the instructor: one line per student, and every cell's score.

``grading_summary.txt`` has one line per student in ``submitted/``: the score, the
seconds its notebook ran and whether its kernel ran in the sandbox (``sandboxed``;
``sandboxed  (no cgroup limits)`` where the host gave the kernels no control group, see
grading/sandbox/control_groups.py; or ``NOT SANDBOXED`` when grading was run with ``--no-sandbox``),
or why there is no score; then the cells that lost points,
grouped by why (wrong, error, timeout, memory, crash, held for review); then what grading
repaired or flagged in the notebook. ``grades_by_cell.csv`` has one row per student and
grade cell, beside the totals that ``nbgrader export`` writes. Both are rebuilt from the
gradebook, the autograded notebooks and the status files each run leaves, so they cover
every run, resumed or not.
"""
import csv
import json
from collections import defaultdict
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from grading.run import gradebook as gradebooks
from grading.sandbox.control_groups import NO_CGROUP
from grading.steps.execute import REASONS

TEXT = "grading_summary.txt"
CSV = "grades_by_cell.csv"
FIELDS = ["student", "notebook", "grade_id", "score", "max_score", "extra_credit", "reason",
          "sandbox"]


def why_lost(cell, held, verdict=None):
    """Why a grade cell scored less than its points: the grader's verdict on it (recorded by
    grading/steps/execute.py), or else its outputs."""
    errors = [out.get("ename", "") for out in cell.get("outputs", [])
              if out.get("output_type") == "error"]
    if verdict is not None and not verdict.get("passed", True):
        cause = verdict["reason"]
        if cause == "error" and errors:
            cause = f"error ({errors[0]})"
    else:
        cause = next((REASONS[e] for e in errors if e in REASONS), None)  # explains its KeyboardInterrupt
    if cause is None and errors:
        cause = "wrong" if errors[0] == "AssertionError" else f"error ({errors[0]})"
    if cause is None and any(out.get("name") == "stderr" for out in cell.get("outputs", [])):
        cause = "wrote to stderr"
    if cell["metadata"]["nbgrader"]["grade_id"] in held:
        return f"{cause}, held for review" if cause else "tampering (held for review)"
    return cause or "partial credit"


def notebook_record(path):
    """(cells by grade_id, the grading metadata) of an autograded notebook, if any."""
    if not path.exists():
        return {}, {}
    nb = json.loads(path.read_text())
    cells = {c["metadata"]["nbgrader"]["grade_id"]: c for c in nb["cells"]
             if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    return cells, nb.get("metadata", {}).get("grading", {})


def how_isolated(sandboxes):
    """What a student's line says of how their kernels ran, from their ``sandbox`` records
    (``grading.sandbox.Sandbox.description()``, or ``grading.sandbox.NONE``)."""
    if not all(s.startswith("bubblewrap") for s in sandboxes):
        return "NOT SANDBOXED"
    if any(NO_CGROUP in s for s in sandboxes):  # grading.run.parallel warned about it at the start
        return "sandboxed  (no cgroup limits)"
    return "sandboxed"


def student_rows(gb, course, assignment, student, status):
    """(summary line, CSV rows) for one student."""
    try:
        submission = gb.find_submission(assignment, student)
    except MissingEntry:
        submission = None
    if not status or not status["graded"] or submission is None:
        reasons = (status or {}).get("reasons") or ["not graded yet"]
        return f"{student:<24} {'-':>8} {'':>7}  not graded: {reasons[-1]}", []
    lost, notes, rows, seconds = defaultdict(list), list(status.get("reasons", [])), [], 0.0
    sandboxes = set()
    for nb in submission.notebooks:
        path = course / "autograded" / student / assignment / f"{nb.name}.ipynb"
        cells, record = notebook_record(path)
        held = set(record.get("held", []))
        seconds += record.get("seconds", 0.0)
        sandbox = record.get("sandbox") or "unknown: graded before sandboxes were recorded"
        sandboxes.add(sandbox)
        for grade in sorted(nb.grades, key=lambda g: list(cells).index(g.name) if g.name in cells else 0):
            score = grade.score or 0.0
            reason = ""
            if score < grade.max_score or (grade.name in held):
                reason = (why_lost(cells[grade.name], held, record.get("verdicts", {}).get(grade.name))
                          if grade.name in cells else "not graded")
                lost[reason].append(grade.name)
            rows.append({"student": student, "notebook": nb.name, "grade_id": grade.name,
                         "score": score, "max_score": grade.max_score,
                         "extra_credit": grade.extra_credit or 0.0, "reason": reason,
                         "sandbox": sandbox})
        if record.get("repairs"):
            notes.append(f"repaired {len(record['repairs'])}: " + "; ".join(record["repairs"][:3])
                         + (" ..." if len(record["repairs"]) > 3 else ""))
        for flag in record.get("flags", [])[:3]:
            notes.append(f"flagged in {flag['where']}: {flag['what']}")
    score = f"{submission.score:g}/{submission.max_score:g}"
    parts = [f"{reason} ({len(ids)}): {', '.join(ids)}" for reason, ids in lost.items()]
    line = (f"{student:<24} {score:>8} {seconds:>5.0f} s  {how_isolated(sandboxes)}  "
            + ("; ".join(parts) if parts else "full marks"))
    if notes:
        line += "  | " + " | ".join(notes)
    return line, rows


def write(course, assignment, students, read_status):
    """Write TEXT and CSV in ``course`` for ``students``; return the summary text."""
    course = Path(course)
    lines, rows = [], []
    with Gradebook(gradebooks.url(course)) as gb:
        for student in students:
            line, student_cells = student_rows(gb, course, assignment, student,
                                               read_status(course, assignment, student))
            lines.append(line)
            rows.extend(student_cells)
    text = "\n".join(lines) + "\n"
    (course / TEXT).write_text(text)
    with open(course / CSV, "w", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return text
