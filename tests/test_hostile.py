"""The autograder against hostile submissions (tests/hostile_cases.py), through the real run.

Every case is graded in one run of ``python -m grading.run`` (intake, nbgrader autograde
in shards with this course's configuration, merge, summary) in a temporary course, under the
lowered limits of tests/support/hostile.py. Then:

- no case scores more than its honest base, and the correct base keeps its points in every
  cell outside the functions a case damaged;
- cells lost to a timeout, the memory cap or a crash say so in the summary;
- every student appears in the summary with a score or a reason;
- the submitted files are never modified, and a resumed run grades only what is left;
- the grading processes' memory stays bounded while a kernel asks for 8 GiB and another
  prints 60 MB;
- every kernel ran in the sandbox (grading/sandbox/bwrap.py), and the isolation cases reached
  nothing: each prints what it found (``ATTACK {...}``), and the course tree outside the
  run's own outputs hashes the same before and after, no file appeared in the host's
  home folder or /tmp, no connection reached a listener on the host's loopback, no
  process of a kernel outlived the run, and every honest student graded beside them has,
  cell for cell, the grades of a run of their honest base alone.

The same cases with a safeguard off (the scan, the sandbox) are tests/test_hostile_safeguards_off.py:
a file of its own, so that pytest-xdist can run it beside this one.
"""
import ast
import csv
import hashlib
import html
import json
import os
import pathlib
import re
import socket
import threading
import time

import psutil
import pytest

import hostile_cases
from support import gradebook
from support.hostile import (BAD_HAND_INS, BASES, CASES, DAMAGE, FORGERS, HELD, HONEST, HOSTILE_WORKERS,
                             IN_PROCESS, ISOLATION, LEAKER, NOT_GRADED, REPAIRED, attacks, limited_course,
                             verdicts, write_case)
from support import ASSIGNMENT, EM, NOTEBOOK, REPORTS, grading_run, nbgrader
from coursetools import notebook_cells
from grading.run import record, report, summary
from grading.verdicts import testcell
from grading.steps.execute import GuardedExecute

pytestmark = pytest.mark.slow  # `make check` leaves it out (pytest.ini)

UID_BASE = GuardedExecute.sandbox_uid_base.default_value  # a kernel's user: this plus its grader's pid
WRONG_TOTAL = 40  # the demo's mistakes student: its three mistakes, and run_EM, which calls them
RUN_OUTPUTS = ("autograded", "feedback", ".grading", "gradebook.db", summary.TEXT, record.RESULTS,
               summary.CSV, report.REPORT_HTML, report.REPORT_CSV)  # what a grading run itself writes in the course



def digest(folder, leave_out=()):
    """sha256 of every file under ``folder`` (links by their target's name), but ``leave_out``."""
    out = {}
    for where, dirs, files in os.walk(folder):
        rel = pathlib.Path(where).relative_to(folder)
        dirs[:] = [d for d in dirs if str(rel / d) not in leave_out and d != "__pycache__"]
        for name in files:
            path = pathlib.Path(where, name)
            if str(rel / name) in leave_out:
                continue
            out[str(rel / name)] = (f"link to {os.readlink(path)}" if path.is_symlink()
                                    else hashlib.sha256(path.read_bytes()).hexdigest())
    return out


HOST_MARKERS = [pathlib.Path(folder) / name for folder in
                (pathlib.Path.home(), "/root", "/tmp", "/var/tmp", "/dev/shm", "/etc", "/usr/local/bin",
                 pathlib.Path.home() / ".ipython/profile_default/startup")
                for name in (hostile_cases.MARKER, hostile_cases.MARKER + "-later")]


class Listener:
    """Accepts connections on the host's loopback and an abstract Unix socket; counts them."""

    def __init__(self):
        self.connections = []
        self.sockets = []
        for family, address in [(socket.AF_INET, ("127.0.0.1", hostile_cases.LISTEN_PORT)),
                                (socket.AF_UNIX, "\0" + hostile_cases.LISTEN_ABSTRACT)]:
            server = socket.socket(family, socket.SOCK_STREAM)
            if family == socket.AF_INET:
                server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(address)
            server.listen()
            server.settimeout(0.5)
            self.sockets.append(server)
        self.running = True
        self.threads = [threading.Thread(target=self.accept, args=(s,), daemon=True)
                        for s in self.sockets]

    def accept(self, server):
        while self.running:
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            self.connections.append(conn.recv(100))
            conn.close()

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        for thread in self.threads:
            thread.join()
        for server in self.sockets:
            server.close()


def process(proc):
    """(user id, resident bytes, command line) of a psutil.Process; psutil.Error if it is gone."""
    with proc.oneshot():
        try:
            return proc.uids().real, proc.memory_info().rss, " ".join(proc.cmdline())
        except psutil.ZombieProcess:
            return proc.uids().real, 0, ""  # a zombie: no memory, no command line


def sandbox_processes(uids):
    """Processes on the host that run as one of ``uids`` (the users this run's kernels ran
    as), or the lingering sleep a case starts. Other tests may grade at the same time: their
    kernels run as other users."""
    found = []
    for proc in psutil.process_iter():
        try:
            uid, _, cmd = process(proc)
        except psutil.Error:
            continue
        if uid in uids or f"sleep {hostile_cases.LINGER_SECONDS}" in cmd:
            found.append((str(proc.pid), uid, cmd[:80]))
    return found


class MemoryWatch:
    """Peak resident memory of one course's grading processes and of their kernels, read from
    /proc; and the users those kernels run as (GuardedExecute: its base id plus the grading
    process's pid). Only the course's own processes count: other tests may grade meanwhile."""

    def __init__(self, course):
        self.course = os.path.realpath(course)
        self.peak = {"grader": 0, "kernel": 0}
        self.uids = set()
        self.running = True
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def watch(self):
        while self.running:
            for proc in psutil.process_iter():  # by pid: graders before their kernels
                try:
                    uid, rss, cmd = process(proc)
                    if "nbgrader" in cmd or "grading.run" in cmd:  # the run and its workers
                        if not proc.cwd().startswith(self.course):
                            continue
                        self.uids.add(UID_BASE + proc.pid)
                        kind = "grader"
                    elif "ipykernel_launcher" in cmd and uid in self.uids:
                        kind = "kernel"
                    else:
                        continue
                except psutil.Error:
                    continue
                self.peak[kind] = max(self.peak[kind], rss)
            time.sleep(0.2)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, source_nb):
    course, release = limited_course(tmp_path_factory, "hostile")
    cases = {case.name: case for case in hostile_cases.cases(release, source_nb)}
    # The honest bases alone first, in a course of their own: their grades are the yardstick
    # (the honest students graded beside the isolation cases hand in their base's notebook).
    alone, _ = limited_course(tmp_path_factory, "honest_alone")
    for name in BASES:
        write_case(alone, cases[name])
    grading_run(alone, "--workers", "2")
    for case in cases.values():
        if case.kind != "bad_hand_in":  # graded with the scan off (scan_off below)
            write_case(course, case)
    before = digest(course / "submitted")
    course_before = digest(course, RUN_OUTPUTS)
    assert not [p for p in HOST_MARKERS if p.exists()], "markers left by an earlier run"
    start = time.perf_counter()
    with MemoryWatch(course) as memory, Listener() as listener:
        run = grading_run(course, "--workers", str(HOSTILE_WORKERS))
        time.sleep(3)  # what linger_after_kernel left would act by now
    seconds = time.perf_counter() - start
    scores, totals = gradebook.scores(course, cases), gradebook.totals(course, cases)
    lines = {line.split()[0]: line for line in (course / summary.TEXT).read_text().splitlines()}
    return dict(course=course, cases=cases, before=before, seconds=seconds, memory=memory.peak,
                scores=scores, totals=totals, lines=lines, log=run.stderr,
                course_before=course_before, course_after=digest(course, RUN_OUTPUTS),
                markers=[str(p) for p in HOST_MARKERS if p.exists()],
                connections=listener.connections, left_running=sandbox_processes(memory.uids),
                alone=gradebook.scores(alone, BASES))


def base_of(hostile, name):
    return "base_" + hostile["cases"][name].base


def test_every_kind_of_case_is_there(hostile):
    kinds = {case.kind for case in hostile["cases"].values()}
    assert kinds == {"base", "time", "memory", "crash", "tampering", "bad_file", "isolation",
                     "honest", "in_process", "bad_hand_in"}
    assert [c.name for c in CASES] == list(hostile["cases"]), "the committed release builds other cases"
    unchecked = [c.name for c in CASES if c.expect == hostile_cases.Expect()
                 and not c.name.startswith("read_") and c.kind not in ("base", "bad_hand_in")]
    assert unchecked == [], f"cases with no expected outcome: {unchecked}"


def test_bases_score_as_expected(hostile):
    assert hostile["totals"]["base_blank"] == 0
    assert hostile["totals"]["base_correct"] == 104  # 100 and the four hard-EM bonus points
    assert hostile["totals"]["base_wrong"] == WRONG_TOTAL


def test_no_case_scores_more_than_its_base(hostile):
    higher = {name: (total, hostile["totals"][base_of(hostile, name)])
              for name, total in hostile["totals"].items()
              if total > hostile["totals"][base_of(hostile, name)]}
    assert higher == {}, f"cases above their honest base (got, base): {higher}"


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_points_are_lost_only_where_the_damage_is(hostile, name):
    parts, reason = DAMAGE[name]
    base = hostile["scores"][base_of(hostile, name)]
    got = hostile["scores"][name]
    changed = {gid: (got[gid], base[gid]) for gid in base
               if got[gid] != base[gid] and EM.section_of(gid) not in parts
               and not gid.endswith("_hard")}  # bonus cells call every function
    assert changed == {}, f"{name} lost points outside {parts} (got, base): {changed}"
    line = hostile["lines"][name]
    if reason:
        assert sum(got.values()) < sum(base.values()), f"{name} lost nothing: {line}"
        assert re.search(rf"\b{reason}\b", line), f"{name}: summary does not say {reason}: {line}"


@pytest.mark.parametrize("name", REPAIRED)
def test_repaired_tampering_scores_exactly_the_honest_base(hostile, name):
    assert hostile["scores"][name] == hostile["scores"]["base_wrong"]


@pytest.mark.parametrize("name", HELD)
def test_code_that_reaches_the_grader_is_held_for_review(hostile, name):
    line = hostile["lines"][name]
    assert "held for review" in line and "flagged" in line, line
    assert hostile["totals"][name] <= hostile["totals"]["base_wrong"]


@pytest.mark.parametrize("name", sorted(NOT_GRADED))
def test_what_cannot_be_graded_is_reported_with_its_reason(hostile, name):
    line = hostile["lines"][name]
    assert "not graded" in line and NOT_GRADED[name] in line, line


def test_every_student_is_in_the_summary_and_the_csv(hostile):
    assert set(hostile["lines"]) == set(hostile["cases"]) - set(BAD_HAND_INS)
    rows = (hostile["course"] / summary.CSV).read_text().splitlines()
    graded = set(hostile["totals"]) - set(NOT_GRADED)
    assert {row.split(",")[0] for row in rows[1:]} == graded


def test_submitted_files_are_never_modified(hostile):
    assert digest(hostile["course"] / "submitted") == hostile["before"]


def test_grading_memory_stays_bounded(hostile):
    peak = hostile["memory"]
    REPORTS.append(("hostile submissions: grading run",
                    f"{len(hostile['cases'])} submissions in {hostile['seconds']:.0f} s with {HOSTILE_WORKERS} workers; "
                    f"peak memory of a grading process {peak['grader'] / 2**20:.0f} MiB, "
                    f"of a kernel {peak['kernel'] / 2**20:.0f} MiB\n"
                    + (hostile["course"] / summary.TEXT).read_text()))
    assert peak["kernel"] > 0 and peak["grader"] > 0, "the memory watch saw no process"
    assert peak["kernel"] <= 4 * 2**30, "a kernel went over the 4 GiB cap"
    assert peak["grader"] < 1 * 2**30, f"a grading process used {peak['grader'] / 2**20:.0f} MiB"


def test_output_floods_are_cut(hostile):
    for name in ("memory_output_flood", "memory_stored_outputs"):
        path = hostile["course"] / "autograded" / name / ASSIGNMENT / NOTEBOOK
        assert path.stat().st_size < 5 * 2**20, f"{name}: autograded notebook is {path.stat().st_size} bytes"


def hidden_lines(source_nb):
    """Lines of the hidden tests in source/ long enough to be recognisable."""
    lines = set()
    for cell in source_nb.cells:
        for region in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S):
            lines |= {line.strip() for line in region.splitlines() if len(line.strip()) > 25}
    return lines


def test_feedback_shows_messages_not_hidden_tests(hostile, source_nb):
    course = hostile["course"]
    for student in ("tamper_deleted_tests", "tamper_patch_grader"):  # the two read below
        nbgrader(course, "generate_feedback", ASSIGNMENT, "--force", f"--student={student}")
    page = html.unescape((course / "feedback" / "tamper_deleted_tests" / ASSIGNMENT /
                          f"{ASSIGNMENT}.html").read_text())
    assert "is wrong." in page  # check_close's message for the wrong log-probability
    hidden = hidden_lines(source_nb)
    assert len(hidden) > 20
    shown = [line for line in hidden if line in page]
    assert shown == [], f"hidden test code in the feedback: {shown[:5]}"
    others = [name for name in hostile["cases"] if name != "tamper_deleted_tests" and name in page]
    assert others == [], f"another student's name in the feedback: {others}"
    held = html.unescape((course / "feedback" / "tamper_patch_grader" / ASSIGNMENT /
                          f"{ASSIGNMENT}.html").read_text())
    assert "held for the instructor's review, because of code in a cell added after imports" in held


def test_a_resumed_run_grades_only_what_is_left(hostile):
    course = hostile["course"]
    record.path(course, ASSIGNMENT, "base_wrong").unlink()  # as if the run had stopped before it
    run = grading_run(course, "--resume")
    graded = re.findall(r"\] (\S+): graded", run.stderr)
    assert graded == ["base_wrong"], run.stderr[-3000:]
    lines = (course / summary.TEXT).read_text().splitlines()
    assert {line.split()[0] for line in lines} == set(hostile["cases"]) - set(BAD_HAND_INS)
    assert gradebook.totals(course, ["base_wrong"]) == {"base_wrong": WRONG_TOTAL}


# ---------------------------------------------------------------------------------------
# In the kernel: verdicts are reached in the grading process (grading/verdicts/)


@pytest.mark.parametrize("name", IN_PROCESS)
def test_in_process_attacks_earn_nothing(hostile, name):
    """Scan on: no cell is earned (the flagged ones are also held, which gains nothing)."""
    assert hostile["totals"][name] <= hostile["totals"]["base_blank"] == 0, hostile["lines"][name]
    assert not any(hostile["scores"][name].values()), hostile["lines"][name]


@pytest.mark.parametrize("name", FORGERS)
def test_forged_hand_ins_reach_the_grader_and_are_judged_wrong(hostile, name):
    """The forgers got as far as they can: their values arrived, and the checks refused them."""
    reasons = {v["reason"] for v in verdicts(hostile["course"], name).values()}
    assert "wrong" in reasons, reasons


def hidden_expected_numbers(source_nb):
    """Every number written in the hidden checks (full repr), long enough to be recognisable."""
    found = set()
    for cell in source_nb.cells:
        if not notebook_cells.nbgrader_meta(cell).get("grade") or "### BEGIN HIDDEN TESTS" not in cell.source:
            continue
        _, checks = testcell.regions(cell.source[cell.source.index("### BEGIN HIDDEN TESTS"):])
        for node in ast.walk(ast.parse("\n".join(checks))):
            if isinstance(node, ast.Constant) and isinstance(node.value, float):
                text = repr(abs(node.value))
                if len(text.replace(".", "").lstrip("0")) >= 6:
                    found.add(text)
    return found


def test_a_leaker_finds_no_hidden_value_nor_the_answer_tests_words(hostile, source_nb):
    """A correct student prints In, Out, _ih, globals() and the kernel's history after the
    last test: none of the hidden checks' numbers and none of the answer tests' own words
    (the other suspects' names, their messages) are in their outputs or their feedback."""
    course = hostile["course"]
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--force", f"--student={LEAKER}")
    cells = json.loads((course / "autograded" / LEAKER / ASSIGNMENT / NOTEBOOK).read_text())["cells"]
    outputs = json.dumps([c.get("outputs", []) for c in cells])
    feedback = html.unescape((course / "feedback" / LEAKER / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text())
    assert "history:" in outputs and "globals:" in outputs, "the leaker printed nothing"
    numbers = hidden_expected_numbers(source_nb)
    from prankster import secret, suspects
    words = ["does not name the prankster", "does not say where the games are", "_culprit", "_others"]
    # the other suspects' names: in the answer test, and in the lineup's alt text, which the
    # feedback page shows (not the kernel's outputs)
    innocents = [name for name, _ in suspects.SUSPECTS if name != secret.PRANKSTER]
    assert len(numbers) > 100 and len(innocents) == 7
    for where, text, secret_words in (("outputs", outputs, words + innocents), ("feedback", feedback, words)):
        leaked = [n for n in numbers if n in text] + [w for w in secret_words if w.lower() in text.lower()]
        assert leaked == [], f"in the leaker's {where}: {leaked[:10]}"
    # the search can find what is there: the student's own answer is in both
    assert secret.PRANKSTER in outputs and secret.PRANKSTER in feedback


# ---------------------------------------------------------------------------------------
# Isolation: the sandbox (grading/sandbox/bwrap.py)


def test_every_kernel_ran_in_the_sandbox(hostile):
    graded = [line for name, line in hostile["lines"].items() if name not in NOT_GRADED]
    unsandboxed = [line for line in graded if "  sandboxed  " not in line]
    assert graded and unsandboxed == []
    rows = list(csv.DictReader(open(hostile["course"] / summary.CSV)))
    assert rows and all(row["sandbox"].startswith("bubblewrap ") for row in rows), rows[:3]


def attack_of(hostile, name):
    said = attacks(hostile["course"], name)
    assert said, f"{name}: the attack cell printed nothing (did it run?)"
    return said


@pytest.mark.parametrize("name", [n for n in ISOLATION if n.startswith("read_")])
def test_reading_attacks_find_nothing_to_use(hostile, name):
    for said in attack_of(hostile, name):
        assert not said.get("roots") and not said.get("found") and not said.get("used"), said


def test_links_in_a_submission_are_left_out(hostile):
    assert "left out 2 symbolic link(s)" in hostile["lines"]["read_through_links"]


@pytest.mark.parametrize("name", [n for n in ISOLATION if n.startswith("write_")])
def test_writing_attacks_reach_nothing_outside_the_sandbox(hostile, name):
    for said in attack_of(hostile, name):
        assert not said.get("roots"), said
        if name == "write_home_and_tmp":  # its own /tmp, home and /dev/shm: in the sandbox
            assert set(said["done"]) <= {"/home/student", "/tmp", "/dev/shm",
                                         "/home/student/.ipython/profile_default/startup"}, said
        else:
            assert said["done"] == [], said


def test_the_course_is_byte_identical_outside_the_runs_outputs(hostile):
    before, after = hostile["course_before"], hostile["course_after"]
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert len(before) > 10 and changed == [], changed


def test_nothing_reaches_the_host(hostile):
    assert hostile["markers"] == [], "files written on the host"
    assert hostile["connections"] == [], "a kernel connected to the host's loopback"
    assert hostile["left_running"] == [], "processes of a kernel outlived the run"


def test_the_network_is_not_there(hostile):
    (said,) = attack_of(hostile, "net_connections")
    assert said["interfaces"] == ["lo"] and said["routes"] == [], said
    for key in ("grader_loopback", "grader_abstract", "dns"):
        assert said[key].startswith("failed"), said


def test_signals_reach_no_other_process(hostile):
    (said,) = attack_of(hostile, "signal_grader_by_name")
    # It sees only its own sandbox: the sandbox's init (bwrap), which it may not signal.
    assert all(cmd.split()[0].endswith("/bwrap") for cmd in said["found"]), said
    assert said["done"] == [], said
    (said,) = attack_of(hostile, "signal_everyone")
    assert said["done"] == [], said


@pytest.mark.parametrize("name,key", [("fork_processes", "children"), ("fork_threads", "threads")])
def test_forking_without_end_is_refused(hostile, name, key):
    (said,) = attack_of(hostile, name)
    assert 0 < said[key] < 128 and "Resource temporarily unavailable" in (said["error"] or "") \
        or "can't start new thread" in (said["error"] or ""), said


@pytest.mark.parametrize("name", HONEST)
def test_honest_students_grade_as_when_graded_alone(hostile, name):
    assert hostile["cases"][name].files == hostile["cases"][base_of(hostile, name)].files
    assert hostile["scores"][name] == hostile["alone"][base_of(hostile, name)]
