"""The gradebook on PostgreSQL: several grading processes writing at once, for real.

A PostgreSQL server of the test's own (coursetools/servers.py: Debian's PostgreSQL, run as the
``postgres`` user in a folder under /var/tmp, on a free localhost port). The grading runs
use the hub's environment (/opt/em-prankster-hub, which has psycopg) with
EM_PRANKSTER_DB_URL set, which nbgrader_config.py turns into ``c.CourseDirectory.db_url``.

1. Two copies of the course, each with half of the class, grade at the same time against
   one server, two workers each (four nbgrader processes writing at once): every student
   is graded exactly once, with the score their submission deserves, and neither copy
   makes an SQLite gradebook.
2. A grading run killed halfway resumes (``--resume``) and grades only who is left: the
   students graded before the kill are not graded again.
"""
import json
import os
import signal
import subprocess
import time

import pytest

from support import ASSIGNMENT, NOTEBOOK, REPORTS, ROOT, new_course
from coursetools.servers import PostgresServer
from grading.run import record
from hub import hubctl

HUB_PYTHON = str(hubctl.PREFIX / "bin" / "python")  # the hub's environment has psycopg

pytestmark = pytest.mark.slow
KINDS = ("reference", "mistakes", "untouched")

# Every student's submissions and scores, as the gradebook on the server has them.
DUMP = """
import json, sys
from nbgrader.api import Gradebook, SubmittedAssignment, Student
with Gradebook(sys.argv[1]) as gb:
    out = {}
    for student in gb.db.query(Student).all():
        rows = gb.db.query(SubmittedAssignment).filter(SubmittedAssignment.student_id == student.id).all()
        out[student.id] = {"submissions": len(rows), "scores": [r.score for r in rows]}
    print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def pg():
    if not os.access(HUB_PYTHON, os.X_OK):
        pytest.fail(f"{HUB_PYTHON} not found (it has psycopg): run `make hub-env`")
    server = PostgresServer()
    try:
        yield server
    finally:
        server.stop()
        assert not os.path.exists(server.dir), f"{server.dir} left behind"


def env_for(db_url, course):
    env = dict(os.environ)
    env.update(EM_PRANKSTER_DB_URL=db_url, MPLBACKEND="Agg", PYTHONPATH=str(course),
               PATH=f"{os.path.dirname(HUB_PYTHON)}:{env.get('PATH', '')}")
    env.pop("NBGRADER_EXECUTION", None)
    return env


def run(course, db_url, *args, timeout=600):
    proc = subprocess.run([HUB_PYTHON, *args], cwd=course, env=env_for(db_url, course),
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def course_with(tmp, db_url, students):
    """A copy of the course whose assignment is generated into the server's gradebook, with
    ``students`` ({name: demo kind}) in submitted/."""
    tmp.mkdir(parents=True)
    course = new_course(tmp)
    run(course, db_url, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force", "--log-level=WARN")
    for name, kind in students.items():
        folder = course / "submitted" / name / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / NOTEBOOK).write_bytes(
            (ROOT / "demo" / "submitted" / kind / ASSIGNMENT / NOTEBOOK).read_bytes())
    return course


def gradebook(db_url):
    return json.loads(run(ROOT, db_url, "-c", DUMP, db_url).stdout)


def statuses(course):
    """{student: graded?} from the result records the grading run saved (grading/run/record.py)."""
    folder = course / record.FOLDER / ASSIGNMENT
    return {p.stem: record.read(course, ASSIGNMENT, p.stem).graded for p in folder.glob("*.json")}


def test_two_copies_grade_one_class_on_one_server_at_once(pg, tmp_path):
    db_url = pg.new_database("two_copies")
    class_ = {f"p{i:02d}": KINDS[i % 3] for i in range(8)}
    halves = [dict(list(class_.items())[:4]), dict(list(class_.items())[4:])]
    courses = [course_with(tmp_path / f"copy{i}", db_url, half) for i, half in enumerate(halves)]
    start = time.perf_counter()
    procs = [subprocess.Popen([HUB_PYTHON, "-m", "grading.run", ASSIGNMENT, "--workers", "2"],
                              cwd=course, env=env_for(db_url, course), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for course in courses]
    outputs = [proc.communicate(timeout=900)[0] for proc in procs]
    seconds = time.perf_counter() - start
    for proc, out in zip(procs, outputs):
        assert proc.returncode == 0, out
        assert "gradebook" not in out.lower() or "error" not in out.lower(), out
    for course, half in zip(courses, halves):
        assert statuses(course) == {name: True for name in half}
        assert not (course / "gradebook.db").exists(), "a copy made an SQLite gradebook"
        for name in half:
            assert (course / "autograded" / name / ASSIGNMENT / NOTEBOOK).exists()
    book = gradebook(db_url)
    assert sorted(book) == sorted(class_)
    assert {name: row["submissions"] for name, row in book.items()} == {name: 1 for name in class_}
    by_kind = {}
    for name, kind in class_.items():
        by_kind.setdefault(kind, set()).add(book[name]["scores"][0])
    assert all(len(scores) == 1 for scores in by_kind.values()), by_kind
    assert by_kind["reference"] == {104.0}
    assert by_kind["untouched"].pop() < by_kind["mistakes"].pop() < 100
    REPORTS.append(("postgres", f"8 students graded by two copies of the course at once (4 nbgrader "
                    f"processes writing to one PostgreSQL) in {seconds:.0f} s"))


def test_an_interrupted_run_resumes_without_grading_anyone_twice(pg, tmp_path):
    db_url = pg.new_database("resume")
    class_ = {f"r{i:02d}": KINDS[i % 3] for i in range(6)}
    course = course_with(tmp_path / "course", db_url, class_)
    # one worker, shards of 3: kill the run when the first shard is merged, the second in flight
    proc = subprocess.Popen([HUB_PYTHON, "-m", "grading.run", ASSIGNMENT, "--workers", "1"],
                            cwd=course, env=env_for(db_url, course), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen = []
    try:
        for line in proc.stderr:
            seen.append(line)
            if line.startswith("[3/6]"):
                time.sleep(2)  # the second shard is under way
                os.killpg(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    first = {name for name, graded in statuses(course).items() if graded}
    assert len(first) == 3, (statuses(course), "".join(seen))
    graded_files = {name: (course / "autograded" / name / ASSIGNMENT / NOTEBOOK).stat().st_mtime_ns
                    for name in first}
    resumed = run(course, db_url, "-m", "grading.run", ASSIGNMENT, "--workers", "1", "--resume")
    progress = [line for line in resumed.stderr.splitlines() if line.startswith("[")]
    assert len(progress) == 3 and progress[-1].startswith("[3/3]"), resumed.stderr
    assert not any(name in line for line in progress for name in first), progress
    assert statuses(course) == {name: True for name in class_}
    for name, mtime in graded_files.items():  # not graded again
        assert (course / "autograded" / name / ASSIGNMENT / NOTEBOOK).stat().st_mtime_ns == mtime
    book = gradebook(db_url)
    assert {name: row["submissions"] for name, row in book.items()} == {name: 1 for name in class_}
    assert all(book[name]["scores"][0] == 104.0 for name, kind in class_.items() if kind == "reference")
