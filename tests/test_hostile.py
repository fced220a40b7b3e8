"""The autograder against hostile submissions (tests/hostile_cases.py), through the real run.

Every case is graded in one run of ``python -m grading.parallel`` (intake, nbgrader autograde
in shards with this course's configuration, merge, summary) in a temporary course. The
limits are lowered so that the run is short: 10 s a cell, 60 s a submission, 5 s for a kernel
to answer after an interrupt; the memory cap is the course's own 4 GiB. Then:

- no case scores more than its honest base, and the correct base keeps its points in every
  cell outside the functions a case damaged;
- cells lost to a timeout, the memory cap or a crash say so in the summary;
- every student appears in the summary with a score or a reason;
- the submitted files are never modified, and a resumed run grades only what is left;
- the grading processes' memory stays bounded while a kernel asks for 8 GiB and another
  prints 60 MB.
"""
import hashlib
import html
import pathlib
import re
import subprocess
import sys
import threading
import time

import pytest
from nbgrader.api import Gradebook

import hostile_cases
from conftest import ASSIGNMENT, NOTEBOOK, REPORTS, nbgrader, nbgrader_env, new_course
from grading import parallel, summary
from prankster import notebooks

LIMITS = """
c.Execute.timeout = 10
c.GuardedExecute.submission_timeout = 60
c.GuardedExecute.interrupt_grace = 5
"""
FUNCTIONS = ["calculate_log_probability", "calculate_lower_bound", "run_e_step", "run_m_step",
             "run_EM", "answer_prankster", "answer_location"]
AFTER = {f: FUNCTIONS[i:] for i, f in enumerate(FUNCTIONS)}  # a crash there loses these

# case -> (parts that may lose points, what the summary must say about them)
DAMAGE = {
    "time_loop_forever": (["run_e_step"], "timeout"),
    "time_loop_top_level": ([], None),
    "time_ignores_interrupt": (AFTER["run_EM"], "timeout"),
    "time_slow_everywhere": (FUNCTIONS, "timeout"),
    "memory_8_gib": (["run_m_step", "run_EM"], "memory"),
    "memory_output_flood": ([], None),
    "memory_stored_outputs": ([], None),
    "crash_os_exit": (AFTER["run_m_step"], "crash"),
    "crash_segfault": (AFTER["run_EM"], "crash"),
    "crash_system_exit": ([], None),
    "crash_exit_builtin": (AFTER["run_e_step"], "crash"),
    "bad_renamed": ([], None),
    "bad_nbformat3": ([], None),
}
NOT_GRADED = {  # case -> what the summary must give as the reason
    "crash_kill_grader": "the grading process died while grading it",
    "bad_invalid_json": "is not valid JSON",
    "bad_missing": "no notebook in the submission",
    "bad_two_notebooks": "none is named em_prankster.ipynb",
}
REPAIRED = ["tamper_skip_tags", "tamper_raises_tags", "tamper_grade_flag", "tamper_points",
            "tamper_grade_id", "tamper_edited_tests", "tamper_commented_tests",
            "tamper_deleted_tests", "tamper_reordered", "tamper_files"]
HELD = ["tamper_patch_numpy", "tamper_patch_grader", "tamper_input_transformer",
        "tamper_runtime_write"]


def part_of(grade_id):
    return next((f for f in FUNCTIONS if grade_id.startswith(f + "_")), grade_id)


def digest(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class MemoryWatch:
    """Peak resident memory of the grading processes and of the kernels, read from /proc."""

    def __init__(self):
        self.peak = {"grader": 0, "kernel": 0}
        self.running = True
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def watch(self):
        while self.running:
            for proc in pathlib.Path("/proc").glob("[0-9]*"):
                try:
                    cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    rss = next(int(line.split()[1]) * 1024 for line in
                               (proc / "status").read_text().splitlines() if line.startswith("VmRSS"))
                except (OSError, StopIteration, ValueError):
                    continue
                kind = ("kernel" if "ipykernel_launcher" in cmd else
                        "grader" if "nbgrader" in cmd or "grading.parallel" in cmd else None)
                if kind:
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
    course = new_course(tmp_path_factory.mktemp("hostile"))
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(LIMITS)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = notebooks.read(course / "release" / ASSIGNMENT / NOTEBOOK)
    cases = {case.name: case for case in hostile_cases.cases(release, source_nb)}
    for case in cases.values():
        folder = course / "submitted" / case.name / ASSIGNMENT
        folder.mkdir(parents=True)
        for name, data in case.files.items():
            (folder / name).write_bytes(data)
    before = digest(course / "submitted")
    start = time.perf_counter()
    with MemoryWatch() as memory:
        run = subprocess.run([sys.executable, "-m", "grading.parallel", ASSIGNMENT, "--workers", "2"],
                             cwd=course, env=nbgrader_env(), capture_output=True, text=True,
                             timeout=1800)
    seconds = time.perf_counter() - start
    assert run.returncode == 0, run.stderr[-3000:]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores, totals = {}, {}
        for name in cases:
            try:
                sub = gb.find_submission(ASSIGNMENT, name)
            except Exception:
                continue
            totals[name] = sub.score
            scores[name] = {g.name: (g.score or 0.0) + (g.extra_credit or 0.0)
                            for nb in sub.notebooks for g in nb.grades}
    lines = {line.split()[0]: line for line in (course / summary.TEXT).read_text().splitlines()}
    return dict(course=course, cases=cases, before=before, seconds=seconds, memory=memory.peak,
                scores=scores, totals=totals, lines=lines, log=run.stderr)


def base_of(hostile, name):
    return "base_" + hostile["cases"][name].base


def test_every_kind_of_case_is_there(hostile):
    kinds = {case.kind for case in hostile["cases"].values()}
    assert kinds == {"base", "time", "memory", "crash", "tampering", "bad_file"}
    assert set(DAMAGE) | set(NOT_GRADED) | set(REPAIRED) | set(HELD) | {
        "base_blank", "base_correct", "base_wrong"} == set(hostile["cases"])


def test_bases_score_as_expected(hostile):
    assert hostile["totals"]["base_blank"] == 0
    assert hostile["totals"]["base_correct"] == 104  # 100 and the four hard-EM bonus points
    assert hostile["totals"]["base_wrong"] == 44  # the demo's mistakes student


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
               if got[gid] != base[gid] and part_of(gid) not in parts
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
    assert set(hostile["lines"]) == set(hostile["cases"])
    rows = (hostile["course"] / summary.CSV).read_text().splitlines()
    graded = set(hostile["totals"]) - set(NOT_GRADED)
    assert {row.split(",")[0] for row in rows[1:]} == graded


def test_submitted_files_are_never_modified(hostile):
    assert digest(hostile["course"] / "submitted") == hostile["before"]


def test_grading_memory_stays_bounded(hostile):
    peak = hostile["memory"]
    REPORTS.append(("hostile submissions: grading run",
                    f"{len(hostile['cases'])} submissions in {hostile['seconds']:.0f} s with 2 workers; "
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
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
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
    status = parallel.status_path(course, ASSIGNMENT, "base_wrong")
    status.unlink()  # as if the run had stopped before this student
    run = subprocess.run([sys.executable, "-m", "grading.parallel", ASSIGNMENT, "--resume"],
                         cwd=course, env=nbgrader_env(), capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    graded = re.findall(r"\] (\S+): graded", run.stderr)
    assert graded == ["base_wrong"], run.stderr[-3000:]
    lines = (course / summary.TEXT).read_text().splitlines()
    assert {line.split()[0] for line in lines} == set(hostile["cases"])
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_submission(ASSIGNMENT, "base_wrong").score == 44
