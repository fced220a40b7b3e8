"""A grading worker: one process that autogrades some students in a shard, one by one.

    python -m grading.run.worker [--no-sandbox] [--events-fd N] SHARD ASSIGNMENT STUDENT [...]

It runs nbgrader's own autograde (``NbGraderAPI.autograde``, with the course's configuration
from the shard) for each student in turn, and writes on file descriptor N (default: standard
output) one JSON object per line, nothing else:

- ``{"started": STUDENT}`` before a student;
- ``{"result": RECORD}`` after: the student's record (grading/run/record.py), graded with the
  scores the shard's gradebook now holds, or not graded with nbgrader's error.

The run (grading/run/parallel.py) reads these lines from a pipe of their own: a student it
saw start and never finish was being graded when the worker died or ran out of time.
nbgrader's log goes to standard error, for people to read; nothing reads it to decide anything.
"""
import argparse
import json
import os
import sys
import time

__all__ = ["grade", "main"]


def emitter(stream):
    """A function that writes one event, a JSON object, as one line of ``stream``."""
    def emit(event):
        stream.write(json.dumps(event) + "\n")
        stream.flush()
    return emit


def grade(shard, assignment, students, emit, sandbox=True):
    """Autograde ``students`` in ``shard`` one by one, emitting a start and a result for each."""
    os.chdir(shard)  # nbgrader reads nbgrader_config.py from here, as its command line would
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI
    from nbgrader.apps.nbgraderapp import NbGraderApp

    from grading.run import gradebook as gradebooks, record

    app = NbGraderApp()
    app.initialize([] if sandbox else ["--GuardedExecute.sandbox=False"])
    api = NbGraderAPI(coursedir=app.coursedir, parent=app)
    for student in students:
        emit({"started": student})
        start = time.monotonic()
        outcome = api.autograde(assignment, student, force=True, create=True)
        if outcome.get("success"):
            with Gradebook(gradebooks.url(shard)) as gb:
                result = record.from_gradebook(gb, shard, assignment, student)
        else:
            result = record.not_graded(student, assignment, "nbgrader could not grade it: "
                                       + last_error(outcome))
        sys.stderr.write(outcome.get("log", ""))
        emit({"result": result.as_json(), "seconds": round(time.monotonic() - start, 1)})


def last_error(outcome):
    """What nbgrader said went wrong, for a person: its last logged errors, else the exception."""
    errors = [line for line in outcome.get("log", "").splitlines() if line.startswith("[ERROR]")]
    said = " / ".join(line[len("[ERROR] "):] for line in errors[-3:])
    return said or (outcome.get("error") or "no reason given").strip().splitlines()[-1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-sandbox", dest="sandbox", action="store_false")
    parser.add_argument("--events-fd", type=int, default=None,
                        help="the file descriptor to write events on (default: standard output)")
    parser.add_argument("shard")
    parser.add_argument("assignment")
    parser.add_argument("students", nargs="+")
    args = parser.parse_args(argv)
    events = os.fdopen(args.events_fd, "w") if args.events_fd is not None else sys.stdout
    grade(args.shard, args.assignment, args.students, emitter(events), args.sandbox)
    return 0


if __name__ == "__main__":
    sys.exit(main())
