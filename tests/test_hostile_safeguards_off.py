"""The hostile cases again with a safeguard off: each safeguard is needed, and no point rests on it alone.

- **The scan off** (grading/steps/scan.py reads the student's code for what reaches into the
  grading, and holds it for review): the in-kernel cases and the held ones earn nothing
  either, since every verdict is reached outside the kernel; the hand-ins the grader must
  refuse (their code reaches into the kernel, which the scan flags) fail only their own cells.
- **The sandbox off** (``--no-sandbox``, in a throw-away course): the isolation attacks do
  reach the course, so the isolation checks of tests/test_hostile.py can fail.
- **No sandbox possible** (bwrap refuses): the run says why and grades no one.
"""
import csv
import json
import os
import subprocess
import sys
import time

import pytest

import hostile_cases
from coursetools import notebook_cells
from grading import sandbox
from grading.run import summary
from support import ASSIGNMENT, NOTEBOOK, gradebook, grading_run, nbgrader, nbgrader_env, new_course
from support.hostile import (BAD_HAND_INS, BASES, HELD, HOSTILE_WORKERS, IN_PROCESS, attacks, base_name,
                             limited_course, verdicts, write_case)

pytestmark = pytest.mark.slow  # `make check` leaves it out (pytest.ini)


@pytest.fixture(scope="module")
def scan_off(tmp_path_factory, source_nb):
    """The in-kernel cases and the held ones again, with grading/steps/scan.py turned off: no points
    may depend on the scan."""
    course, release = limited_course(tmp_path_factory, "scan_off")
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("c.RebuildNotebook.scan_code = False\n")
    names = IN_PROCESS + HELD + BAD_HAND_INS + BASES
    cases = {case.name: case for case in hostile_cases.cases(release, source_nb)}
    for name in names:
        write_case(course, cases[name])
    start = time.perf_counter()
    grading_run(course, "--workers", str(HOSTILE_WORKERS))
    lines = {line.split()[0]: line for line in (course / summary.TEXT).read_text().splitlines()}
    return dict(course=course, scores=gradebook.scores(course, names), lines=lines,
                seconds=time.perf_counter() - start)


@pytest.mark.parametrize("name", IN_PROCESS + HELD)
def test_without_the_scan_nothing_is_gained_either(scan_off, name):
    base = base_name(name)
    assert sum(scan_off["scores"][name].values()) <= sum(scan_off["scores"][base].values()), \
        scan_off["lines"][name]
    assert "held for review" not in scan_off["lines"][name], scan_off["lines"][name]


def test_refused_hand_ins_fail_their_cells_with_why(scan_off):
    """Too large, pickled, too deep, too long, NaN: each fails its own cell with a message,
    the grading went on, and every other cell scored as the correct base's."""
    found = verdicts(scan_off["course"], "handin_refused")
    for gid, message in hostile_cases.BAD_HAND_IN_MESSAGES:
        assert not found[gid]["passed"] and message in found[gid]["message"], (gid, found[gid])
    refused = {gid for gid, _ in hostile_cases.BAD_HAND_IN_MESSAGES}
    scores, base = scan_off["scores"]["handin_refused"], scan_off["scores"]["base_correct"]
    assert {gid: score for gid, score in scores.items() if gid not in refused} \
        == {gid: score for gid, score in base.items() if gid not in refused}
    assert all(scores[gid] == 0 for gid in refused)


def test_messages_no_client_should_read_cost_nothing_else(scan_off):
    """JSON nested 200000 deep and a 200 MB output, sent raw on the kernel's socket: the cell
    that sent them (not graded) says so, the 200 MB never reach the grader's memory, and the
    grader reconnects to the kernel's output, so no later cell loses anything."""
    assert scan_off["scores"]["handin_raw_messages"] == scan_off["scores"]["base_correct"]
    cells = json.loads((scan_off["course"] / "autograded" / "handin_raw_messages" / ASSIGNMENT /
                        NOTEBOOK).read_text())["cells"]
    outputs = json.dumps([c.get("outputs") for c in cells])
    assert "UnreadableOutput" in outputs and "OutputTooLarge" in outputs


@pytest.fixture(scope="module")
def unsandboxed(tmp_path_factory, source_nb):
    """Three attacks graded without the sandbox, in a throw-away course."""
    course, release = limited_course(tmp_path_factory, "unsandboxed")
    for name, _, _, nb in hostile_cases.unsandboxed_cases(release, notebook_cells.reference_code(source_nb)):
        write_case(course, hostile_cases.Case(name, "isolation", "", "", {NOTEBOOK: hostile_cases.dumps(nb)}))
    config_before = (course / "nbgrader_config.py").read_text()
    run = grading_run(course, "--no-sandbox")
    return dict(course=course, run=run, config_before=config_before,
                scores=gradebook.scores(course, ["read_reference_walking_up", "write_course_files", "read_own_notebook"]))


def test_without_the_sandbox_the_attacks_succeed(unsandboxed):
    """The isolation checks above can fail: unsandboxed, the same code reaches the course."""
    course = unsandboxed["course"]
    assert sum(unsandboxed["scores"]["read_reference_walking_up"].values()) == 104
    assert hostile_cases.MARKER in (course / "nbgrader_config.py").read_text()
    (said,) = attacks(course, "read_own_notebook")
    assert said["found"], said  # the notebook being graded, hidden tests and all
    assert "WARNING: grading without the sandbox" in unsandboxed["run"].stderr
    lines = (course / summary.TEXT).read_text().splitlines()
    assert len(lines) == 3 and all("NOT SANDBOXED" in line for line in lines), lines
    rows = list(csv.DictReader(open(course / summary.CSV)))
    assert rows and all(row["sandbox"] == sandbox.NONE for row in rows), rows[:3]


def test_grading_stops_when_no_sandbox_can_be_made(tmp_path, monkeypatch):
    """With bwrap missing, the run says why and how to fix it, and grades no one."""
    course = new_course(tmp_path)
    (course / "submitted" / "someone" / ASSIGNMENT).mkdir(parents=True)
    env = nbgrader_env()
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "bwrap").write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    (fake_bin / "bwrap").chmod(0o755)
    env["PATH"] = f"{fake_bin}{os.pathsep}{env['PATH']}"
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    run = subprocess.run([sys.executable, "-m", "grading.run.parallel", ASSIGNMENT], cwd=course,
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert "No permissions to create new namespace" in run.stderr, run.stderr
    assert "--no-sandbox" in run.stderr and "apt-get install bubblewrap" in run.stderr
    assert not (course / "autograded").exists()
