"""Autograde a class with several worker processes, into the one gradebook.

    python -m grading.parallel em_prankster [--workers N] [--course DIR]

nbgrader grades one submission at a time, and its SQLite gradebook does not take
concurrent writers. So each worker gets a shard: a course folder of its own under
``.shards/`` whose gradebook starts as a copy of the course's (assignment, notebooks,
cells), whose ``source/`` and ``release/`` are links to the course's, and whose
``submitted/`` links to its share of the students. Each worker runs one
``nbgrader autograde`` on its shard (one process: nbgrader's start-up is paid once per
worker, not once per student). When all are
done, every shard's grades, comments and timestamps are copied into the course's
gradebook and its ``autograded/<student>`` folders are moved into the course's. The
result is what ``nbgrader autograde`` would have written, in 1/N of the time.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

LINKED = ("nbgrader_config.py", "grading", "source", "release")


def students_of(course, assignment):
    submitted = course / "submitted"
    return sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir()) \
        if submitted.is_dir() else []


def make_shard(course, index, students):
    """A course folder for one worker, sharing everything but the gradebook."""
    shard = course / ".shards" / str(index)
    if shard.exists():
        shutil.rmtree(shard)
    (shard / "submitted").mkdir(parents=True)
    for name in LINKED:
        if (course / name).exists():
            (shard / name).symlink_to(course / name)
    shutil.copy(course / "gradebook.db", shard / "gradebook.db")
    for student in students:
        (shard / "submitted" / student).symlink_to(course / "submitted" / student)
    return shard


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


STARTED = re.compile(r"Converting notebook .*[/\\]submitted[/\\]([^/\\]+)[/\\]")
FAILED = re.compile(r"error processing assignment '[^']*' for student '([^']+)'")


def grade_shard(shard, assignment, students, progress, env):
    """One ``nbgrader autograde`` for the shard; progress read off its log, student by student."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "nbgrader", "autograde", assignment, "--force", "--log-level=INFO"],
        cwd=shard, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    current, failures, log = None, {}, []
    for line in proc.stderr:
        log.append(line.rstrip())
        started = STARTED.search(line)
        if started and started.group(1) != current:
            if current is not None:
                progress.tick(current, current not in failures)
            current = started.group(1)
        failed = FAILED.search(line)
        if failed:
            failures[failed.group(1)] = "nbgrader could not grade it (see its log above)"
    proc.wait()
    if current is not None:
        progress.tick(current, current not in failures and proc.returncode == 0)
    if proc.returncode != 0 and not failures:
        failures.update({s: log[-1] if log else "nbgrader failed" for s in students})
    return failures


def merge(course, shard, assignment, students):
    """Copy the shard's results for ``students`` into the course's gradebook and folders."""
    # nbgrader's add_submission trips SQLAlchemy's autoflush warnings; the rows are added.
    warnings.filterwarnings("ignore", category=SAWarning, module="nbgrader.api")
    with Gradebook(f"sqlite:///{shard / 'gradebook.db'}") as source, \
            Gradebook(f"sqlite:///{course / 'gradebook.db'}") as target:
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
            graded_dir = shard / "autograded" / student
            if graded_dir.is_dir():
                destination = course / "autograded" / student
                if destination.exists():
                    shutil.rmtree(destination)
                destination.parent.mkdir(exist_ok=True)
                shutil.move(str(graded_dir), str(destination))


def autograde(course, assignment, workers=None, students=None, out=sys.stderr):
    """Grade ``students`` (default: everyone in submitted/) with ``workers`` processes.

    Returns {student: reason} for the submissions nbgrader could not grade.
    """
    course = Path(course).resolve()
    students = list(students or students_of(course, assignment))
    workers = max(1, min(workers or os.cpu_count() or 1, len(students) or 1))
    shards = [students[i::workers] for i in range(workers)]
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    if workers > 1:  # one core per worker: numpy's BLAS threads would only fight
        env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    progress = Progress(len(students), out)
    folders = [make_shard(course, i, part) for i, part in enumerate(shards)]
    failures = {}
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        jobs = [pool.submit(grade_shard, folder, assignment, part, progress, env)
                for folder, part in zip(folders, shards)]
        for job in jobs:
            failures.update(job.result())
    for folder, part in zip(folders, shards):
        merge(course, folder, assignment, part)
    shutil.rmtree(course / ".shards")
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--workers", type=int, default=None, help="default: the number of cores")
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    failures = autograde(args.course, args.assignment, args.workers)
    print(f"autograded in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    for student, reason in failures.items():
        print(f"could not grade {student}: {' '.join(reason)}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
