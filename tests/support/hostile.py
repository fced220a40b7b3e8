"""What the hostile suites share (tests/test_hostile.py, tests/test_hostile_safeguards_off.py).

The cases themselves, and what each must come to, are in tests/hostile_cases.py; here are the
views of them the tests parametrize over, the lowered limits they are graded under, and how a
case is written into a course and read back.
"""
import json

import hostile_cases
from coursetools import notebook_cells
from grading.steps.notebook_record import NotebookRecord
from support.course import ASSIGNMENT, NOTEBOOK, nbgrader, new_course

__all__ = ["BAD_HAND_INS", "BASES", "CASES", "DAMAGE", "FORGERS", "HELD", "HONEST", "HOSTILE_WORKERS",
           "IN_PROCESS", "ISOLATION", "LEAKER", "LIMITS", "NOT_GRADED", "REPAIRED", "attacks",
           "base_name", "limited_course", "verdicts", "write_case"]

# The limits are lowered so that a run is short: 5 s a cell (an honest cell takes well under 1 s;
# handing in 70 MiB, as handin_refused does, took over 3 s with the test processes on both cores),
# 60 s a submission (time_loop_forever times out in about ten cells: 40 to 50 s), 2 s for a kernel
# to answer after an interrupt; the memory cap is the course's own 4 GiB.
LIMITS = """
c.Execute.timeout = 5
c.GuardedExecute.submission_timeout = 60
c.GuardedExecute.interrupt_grace = 2
"""
# One worker more than the 2 cores: many cases wait (timeouts, sleeps, kernel restarts).
HOSTILE_WORKERS = 3
# What each case must come to is written beside its code (hostile_cases.Expect); these views
# of it are what the tests below parametrize over.
CASES = hostile_cases.catalog()
DAMAGE = {c.name: (list(c.expect.lose), c.expect.says) for c in CASES if c.expect.lose is not None}
NOT_GRADED = {c.name: c.expect.not_graded for c in CASES if c.expect.not_graded}
REPAIRED = [c.name for c in CASES if c.expect.tampering == "repaired"]
HELD = [c.name for c in CASES if c.expect.tampering == "held"]
ISOLATION = [c.name for c in CASES if c.kind == "isolation"]
HONEST = [c.name for c in CASES if c.kind in ("base", "honest")]
BASES = [c.name for c in CASES if c.kind == "base"]
IN_PROCESS = [c.name for c in CASES if c.expect.in_kernel in ("stubs", "forges")]
FORGERS = [c.name for c in CASES if c.expect.in_kernel == "forges"]
LEAKER, = [c.name for c in CASES if c.expect.in_kernel == "leaks"]
BAD_HAND_INS = [c.name for c in CASES if c.kind == "bad_hand_in"]


def base_name(name):
    """The honest base a case starts from, as a student id: base_blank, base_correct or base_wrong."""
    return "base_" + BY_NAME[name].base


BY_NAME = {c.name: c for c in CASES}


def write_case(course, case):
    folder = course / "submitted" / case.name / ASSIGNMENT
    folder.mkdir(parents=True)
    for name, data in case.files.items():
        if isinstance(data, hostile_cases.Symlink):
            (folder / name).symlink_to(data.target)
        else:
            (folder / name).write_bytes(data)


def attacks(course, student):
    """What the ATTACK lines of a student's autograded notebook say, in order."""
    path = course / "autograded" / student / ASSIGNMENT / NOTEBOOK
    found = []
    for cell in json.loads(path.read_text())["cells"]:
        for out in cell.get("outputs", []):
            text = out.get("text", "")
            text = "".join(text) if isinstance(text, list) else text
            found += [json.loads(line[len("ATTACK "):]) for line in text.splitlines()
                      if line.startswith("ATTACK ")]
    return found


def limited_course(tmp_path_factory, name):
    """A released copy of the course with the suite's lower LIMITS; and its release notebook."""
    course = new_course(tmp_path_factory.mktemp(name))
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(LIMITS)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    return course, notebook_cells.read(course / "release" / ASSIGNMENT / NOTEBOOK)


def verdicts(course, student):
    """{grade_id: the grader's verdict} recorded in a student's autograded notebook."""
    path = course / "autograded" / student / ASSIGNMENT / NOTEBOOK
    return NotebookRecord.of(json.loads(path.read_text()))[NotebookRecord.VERDICTS]
