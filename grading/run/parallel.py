"""Autograde a class safely, with several worker processes, into the one gradebook.

    python -m grading.run em_prankster [--workers N] [--resume] [--course DIR] [--no-sandbox]

0. **Sandbox check**: every kernel will run in a bubblewrap sandbox (``grading/sandbox/bwrap.py``,
   through ``GuardedExecute``); one is started first, and if none can be made here the run
   stops, saying why and how to fix it, before anyone is graded. ``--no-sandbox`` grades
   with the grader's rights instead, and the summary says so for every student. Where the
   host gives the kernels no control group (``grading/sandbox/control_groups.py``: neither cgroup v1
   nor a delegated cgroup v2 subtree), the run says so here, and the summary on every line.

1. **Intake** (``grading/run/intake.py``): every folder in ``submitted/`` is checked and
   copied to ``.grading/staged/``; renamed and old-format notebooks are fixed there, and
   what cannot be graded (no notebook, invalid JSON) gets its reason. Only the notebook is
   staged: the kernel is lent the course's own released files (``grading/steps/course_files.py``);
   the summary lists what else was handed in and left out. ``submitted/`` is only read, never
   written.
2. **Grading**: nbgrader's SQLite gradebook does not take concurrent writers, so each
   worker takes a few students at a time (``shards_of``: at most 10, fewer as the queue
   empties) into a shard: a course folder under
   ``.grading/shards/`` whose gradebook starts as a copy of the course's, whose ``source/`` and
   ``release/`` are links to the course's, and whose ``submitted/`` links to the staged
   copies. One worker process (``grading/run/worker.py``) grades the shard's students one by
   one with nbgrader's own autograde, paying Python's and nbgrader's start-up once per shard,
   and reports each student's result record (``grading/run/record.py``) as data on a pipe of
   its own. The shard's grades, comments and ``autograded/`` folders are then merged into the
   course's gradebook and each record saved, so an interrupted run loses only the shards in
   flight, and ``--resume`` grades only the students whose record does not say graded. With
   the gradebook on a server (``c.CourseDirectory.db_url``, ``grading/run/gradebook.py``),
   which takes concurrent writers, the shards write to it directly: no copies, and only
   ``autograded/`` is merged. nbgrader's log goes to ``.grading/logs/``, for people to read.
3. **Containment**: if a worker dies (a submission killed it) or runs past its time, the
   student it had started and not finished gets that as the reason, and the others of the
   shard are graded again in a new one. Every student ends with a record: a score or a reason.
4. **Summary** (``grading/run/summary.py``): one line per student with the score and the cells
   lost and why, in ``grading_summary.txt``; every cell's score in ``grades_by_cell.csv``; every
   record in ``grading_results.json``; the class report (``grading/run/report.py``) in
   ``class_report.html`` and ``class_report.csv``. All are written from the records alone.
"""
import argparse
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

from grading import sandbox as sandboxing
from grading.run import gradebook as gradebooks, intake, record, report, summary
from grading.sandbox import control_groups

LINKED = ("nbgrader_config.py", "grading", "source", "release")
WORK = ".grading"  # the run's work folder in the course: staged/, results/, logs/, shards/


def students_of(course):
    submitted = course / "submitted"
    return sorted(p.name for p in submitted.iterdir() if p.is_dir()) if submitted.is_dir() else []


def make_shard(course, index, students, gradebook_lock, copy_gradebook=True):
    """A course folder for one worker, sharing everything but the gradebook (with a gradebook
    on a server, copy_gradebook=False: the shard writes to the server too)."""
    shard = course / WORK / "shards" / str(index)
    if shard.exists():
        shutil.rmtree(shard)
    (shard / "submitted").mkdir(parents=True)
    for name in LINKED:
        if (course / name).exists():
            (shard / name).symlink_to(course / name)
    if copy_gradebook:
        with gradebook_lock:
            shutil.copy(course / "gradebook.db", shard / "gradebook.db")
    for student in students:
        (shard / "submitted" / student).symlink_to(course / WORK / "staged" / student)
    return shard


def shards_of(students, workers, size=None):
    """``students`` cut into the parts the workers take, in order: ``size`` each if given, else
    shrinking ones (at most 10, about a (2 x workers)-th of what is left, down to one student).
    A worker pays Python's and nbgrader's start-up once a part, so parts are large while much
    is left; they are small at the end, so that a few slow submissions (time limits, sleeps)
    in a row do not leave one worker grading them alone while the others wait."""
    parts, i = [], 0
    while i < len(students):
        n = size or max(1, min(10, -(-(len(students) - i) // (2 * workers))))
        parts.append(students[i:i + n])
        i += n
    return parts


class Progress:
    """Students done, remaining, time so far and estimated time left, on one line each."""

    def __init__(self, total, out=sys.stderr):
        self.total, self.done, self.start, self.out = total, 0, time.perf_counter(), out
        self.lock = threading.Lock()

    def tick(self, student, ok):
        with self.lock:
            self.done += 1
            spent = time.perf_counter() - self.start
            left = spent / self.done * (self.total - self.done)
            print(f"[{self.done}/{self.total}] {student}: {'graded' if ok else 'FAILED'}; "
                  f"{self.total - self.done} remaining, {spent:.0f} s so far, about {left:.0f} s left",
                  file=self.out, flush=True)


def grade_shard(shard, assignment, students, env, time_limit, sandbox=True, log=None):
    """Grade ``students`` in the shard with one worker process (grading/run/worker.py).

    Returns ``(results, culprit)``: {student: StudentResult} for the students the worker
    finished, and the not-graded record of the one it was on when it died or ran out of time
    (None if it ended normally). Events come as JSON lines on a pipe of their own; the
    worker's log (nbgrader's) goes to ``log``.
    """
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-m", "grading.run.worker", "--events-fd", str(write_end),
         *([] if sandbox else ["--no-sandbox"]), str(shard), assignment, *students],
        cwd=shard, env=env, stdin=subprocess.DEVNULL, stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT, pass_fds=(write_end,))
    os.close(write_end)
    timer = threading.Timer(time_limit, proc.kill)
    timer.start()
    results, current = {}, None
    try:
        with os.fdopen(read_end, errors="replace") as events:
            for line in events:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if "started" in event:
                    current = event["started"]
                elif "result" in event:
                    result = record.StudentResult.from_json(event["result"])
                    results[result.student] = result
                    current = None
        proc.wait()
    finally:
        timed_out = not timer.is_alive() and proc.returncode != 0
        timer.cancel()
    culprit = None
    if current is not None:
        if timed_out:
            reason = f"grading it took longer than {time_limit:.0f} s and was stopped"
        elif proc.returncode and proc.returncode < 0:
            reason = (f"the grading process died while grading it (signal {-proc.returncode}): "
                      "the submission's code probably killed it")
        else:
            reason = f"the grading process stopped while grading it (exit code {proc.returncode})"
        culprit = record.not_graded(current, assignment, reason)
    return results, culprit


def merge(course, shard, assignment, students, server=False):
    """Copy the shard's results for ``students`` into the course's gradebook and folders
    (with a gradebook on a server, ``server``, the grades are there already: folders only)."""
    if server:
        return move_autograded(course, shard, students)
    # nbgrader's add_submission trips SQLAlchemy's autoflush warnings; the rows are added.
    warnings.filterwarnings("ignore", category=SAWarning, module="nbgrader.api")
    with Gradebook(gradebooks.sqlite_url(shard)) as source, \
            Gradebook(gradebooks.sqlite_url(course)) as target:
        for student in students:
            try:
                graded = source.find_submission(assignment, student)
            except MissingEntry:
                continue
            target.update_or_create_student(student)
            submission = target.update_or_create_submission(
                assignment, student, timestamp=graded.timestamp, extension=graded.extension)
            for notebook in graded.notebooks:
                for grade in notebook.grades:
                    into = target.find_grade(grade.name, notebook.name, assignment, student)
                    into.auto_score, into.manual_score = grade.auto_score, grade.manual_score
                    into.extra_credit, into.needs_manual_grade = grade.extra_credit, grade.needs_manual_grade
                for comment in notebook.comments:
                    into = target.find_comment(comment.name, notebook.name, assignment, student)
                    into.auto_comment, into.manual_comment = comment.auto_comment, comment.manual_comment
                into = target.find_submission_notebook(notebook.name, assignment, student)
                into.late_submission_penalty = notebook.late_submission_penalty
            target.db.commit()
            del submission
    move_autograded(course, shard, students)


def move_autograded(course, shard, students):
    """Move the shard's autograded/<student> folders into the course's."""
    for student in students:
        graded_dir = shard / "autograded" / student
        if graded_dir.is_dir():
            destination = course / "autograded" / student
            if destination.exists():
                shutil.rmtree(destination)
            destination.parent.mkdir(exist_ok=True)
            shutil.move(str(graded_dir), str(destination))


def announce_sandbox(sandbox, out):
    """Say once, before anyone is graded, how the kernels will run; stop with
    ``SystemExit`` if ``sandbox`` is asked for and none can be made here."""
    if not sandbox:
        print("WARNING: grading without the sandbox: every submission runs with the grader's "
              "rights (--no-sandbox)", file=out)
        return
    try:
        described = sandboxing.check()
    except sandboxing.SandboxUnavailable as error:
        raise SystemExit(f"Not grading: {error}")
    print(f"each kernel in a sandbox: {described}", file=out)
    if control_groups.NO_CGROUP in described:
        print(f"WARNING: {control_groups.NO_CGROUP_HELP} Here: {control_groups.diagnose()}.",
              file=out)


def autograde(course, assignment, workers=None, students=None, out=sys.stderr, resume=False,
              chunk=None, sandbox=True):
    """Grade ``students`` (default: everyone in submitted/) with ``workers`` processes.

    Each kernel runs in a bubblewrap sandbox (grading/sandbox/bwrap.py); if none can be made here,
    stop with ``SystemExit`` saying why, before anything is graded. ``sandbox=False`` grades
    without it, and the summary says so for every student.

    Returns {student: reason} for the submissions that could not be graded; writes the
    summary files (grading/run/summary.py).
    """
    course = Path(course).resolve()
    notebook = f"{assignment}.ipynb"
    # A gradebook on a server (db_url, grading/run/gradebook.py) takes concurrent writers: no copies.
    db_url = gradebooks.url(course)
    server = gradebooks.on_server(db_url)
    for needed in ([] if server else [course / "gradebook.db"]) + [course / "release" / assignment / notebook]:
        if not needed.exists():
            raise SystemExit(f"{needed} is missing: run `nbgrader generate_assignment {assignment}` first")
    announce_sandbox(sandbox, out)
    students = list(students or students_of(course))
    if resume:
        students = [s for s in students if not getattr(record.read(course, assignment, s), "graded", False)]
    staged = intake.stage(course / "submitted", course / WORK / "staged", assignment, notebook,
                          set(students), keep=intake.course_files(course / "release" / assignment))
    todo, results = [], {}
    with Gradebook(db_url) as gb:
        for student in students:
            entry = staged[student]
            if entry.staged:
                todo.append(student)
            else:  # on the class list with no submission; the reason goes to the summary
                gb.update_or_create_student(student)
                results[student] = record.not_graded(student, assignment, entry.notes[-1], entry.notes[:-1])
                record.save(course, results[student])

    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    if workers > 1:  # one core per worker: numpy's BLAS threads would only fight
        env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    per_student = submission_time_limit(course) + 120
    progress = Progress(len(students), out)
    for student in results:
        progress.tick(student, False)
    jobs = queue.Queue()
    for part in shards_of(todo, workers, chunk):
        jobs.put(part)
    lock, counter = threading.Lock(), iter(range(10**9))
    logs = course / WORK / "logs" / assignment
    logs.mkdir(parents=True, exist_ok=True)

    def worker():
        while True:
            try:
                part = jobs.get_nowait()
            except queue.Empty:
                return
            index = next(counter)
            shard = make_shard(course, index, part, lock, copy_gradebook=not server)
            with open(logs / f"shard-{index}.log", "w") as log:
                finished, culprit = grade_shard(shard, assignment, part, env,
                                                per_student * len(part), sandbox, log)
            done = set(finished) | ({culprit.student} if culprit else set())
            rest = [s for s in part if s not in done]
            if rest and culprit:  # the worker died before reaching them: grade them again
                jobs.put(rest)
            else:
                finished.update({s: record.not_graded(s, assignment, "the grading process ended "
                                                      "without grading it") for s in rest})
            if culprit:
                finished[culprit.student] = culprit
            with lock:
                merge(course, shard, assignment, [s for s, r in finished.items() if r.graded], server)
                for student, result in finished.items():
                    result.notes = staged[student].notes + result.notes
                    record.save(course, result)
                    progress.tick(student, result.graded)
            shutil.rmtree(shard, ignore_errors=True)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    shutil.rmtree(course / WORK / "shards", ignore_errors=True)
    everyone = record.read_all(course, assignment, students_of(course))
    summary.write(course, everyone)
    report.write(course, everyone)
    record.save_all(course, everyone)
    return {r.student: r.reason for r in everyone if not r.graded and r.student in students}


def submission_time_limit(course):
    """The course's GuardedExecute.submission_timeout (nbgrader_config.py), in seconds."""
    from traitlets.config import PyFileConfigLoader

    from grading.steps.execute import GuardedExecute
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    default = GuardedExecute.class_traits()["submission_timeout"].default_value
    return int(config.get("GuardedExecute", {}).get("submission_timeout") or default)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--workers", type=int, default=None, help="default: the number of cores")
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    parser.add_argument("--resume", action="store_true",
                        help="grade only the students a previous run did not finish")
    parser.add_argument("--no-sandbox", dest="sandbox", action="store_false",
                        help="run the students' code with the grader's rights, without the "
                        "bubblewrap sandbox (the summary says so for every student)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    autograde(args.course, args.assignment, args.workers, resume=args.resume,
              sandbox=args.sandbox)
    print(f"autograded in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    print(Path(args.course, summary.TEXT).read_text(), end="")
    print(f"(also in {summary.TEXT}; every cell's score in {summary.CSV})")
    return 0  # every student has a score or a reason, in the summary


if __name__ == "__main__":
    sys.exit(main())
