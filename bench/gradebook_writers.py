"""How many grading processes can write to one gradebook at once: SQLite against PostgreSQL.

    /opt/em-prankster-hub/bin/python -m bench.gradebook_writers [--writers 1 2 4 8 16 32 64]

(as root: it starts a PostgreSQL server of its own, coursetools/servers.py, and stops it.) For
each number of writers N, N processes start at the same instant and each writes what
``nbgrader autograde`` writes for its students (the student, the submission with a grade and
a comment row for every cell, then every cell's score, one commit per student), through
nbgrader's own Gradebook API, into one gradebook: an SQLite file (nbgrader's default) or a
PostgreSQL database. It prints, for each backend and N, how many students were written, how
many writes failed (and the first error), and the time taken.
"""
import argparse
import logging
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# nbgrader makes a new gradebook with alembic: this environment's bin/ first on PATH
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")

import warnings  # noqa: E402

from nbgrader.api import Gradebook  # noqa: E402
from sqlalchemy.exc import SAWarning  # noqa: E402

# nbgrader's add_submission trips SQLAlchemy's autoflush warnings; the rows are added.
warnings.filterwarnings("ignore", category=SAWarning)
# nbgrader logs each failed write with its traceback; the table counts them instead
logging.disable(logging.CRITICAL)

ASSIGNMENT, NOTEBOOK = "bench", "bench"
GRADE_CELLS, SOLUTION_CELLS = 38, 7  # as in em_prankster: test cells and solution cells
STUDENTS_PER_WRITER = 4


def create(db_url):
    with Gradebook(db_url) as gb:
        gb.update_or_create_assignment(ASSIGNMENT)
        gb.update_or_create_notebook(NOTEBOOK, ASSIGNMENT)
        for i in range(GRADE_CELLS):
            gb.update_or_create_grade_cell(f"test_{i}", NOTEBOOK, ASSIGNMENT, max_score=3.0,
                                           cell_type="code")
        for i in range(SOLUTION_CELLS):
            gb.update_or_create_solution_cell(f"solution_{i}", NOTEBOOK, ASSIGNMENT)
            gb.update_or_create_source_cell(f"solution_{i}", NOTEBOOK, ASSIGNMENT, source="pass",
                                            cell_type="code", locked=False)


def writer(db_url, index, start_at, results):
    """Write STUDENTS_PER_WRITER students' grades; report (written, errors, first error)."""
    written, errors, first = 0, 0, ""
    time.sleep(max(0.0, start_at - time.time()))
    try:
        gb = Gradebook(db_url)
    except Exception as error:  # noqa: BLE001 (any failure to connect counts)
        results.put((0, STUDENTS_PER_WRITER, f"{type(error).__name__}: {error}"))
        return
    for k in range(STUDENTS_PER_WRITER):
        student = f"w{index:03d}s{k}"
        try:
            gb.update_or_create_student(student)
            submission = gb.update_or_create_submission(ASSIGNMENT, student)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    grade.auto_score = 3.0
            gb.db.commit()
            written += 1
        except Exception as error:  # noqa: BLE001 (every failed write is counted)
            gb.db.rollback()
            errors += 1
            first = first or f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"
    gb.close()
    results.put((written, errors, first))


def run(db_url, writers):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 1.0 + 0.02 * writers
    procs = [context.Process(target=writer, args=(db_url, i, start_at, results)) for i in range(writers)]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join()
    seconds = time.time() - start_at
    written = sum(o[0] for o in outcomes)
    errors = sum(o[1] for o in outcomes)
    first = next((o[2] for o in outcomes if o[2]), "")
    with Gradebook(db_url) as gb:  # what the gradebook really holds
        stored = len([s for s in gb.students if s.id.startswith("w")])
    return written, errors, first, seconds, stored


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 2, 4, 8, 16, 32, 64])
    args = parser.parse_args(argv)
    from coursetools.servers import PostgresServer
    print(f"{STUDENTS_PER_WRITER} students per writer, {GRADE_CELLS} graded cells each; "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    print(f"{'backend':<11} {'writers':>7} {'written':>8} {'failed':>7} {'stored':>7} {'seconds':>8}  first error")
    peak = {}
    with tempfile.TemporaryDirectory() as tmp, PostgresServer(max_connections=300) as pg:
        for writers in args.writers:
            for backend in ("sqlite", "postgresql"):
                name = f"w{writers}"
                db_url = (f"sqlite:///{tmp}/{name}.db" if backend == "sqlite" else pg.new_database(name))
                create(db_url)
                written, errors, first, seconds, stored = run(db_url, writers)
                print(f"{backend:<11} {writers:>7} {written:>8} {errors:>7} {stored:>7} {seconds:>8.2f}  {first}",
                      flush=True)
                if errors == 0 and stored == writers * STUDENTS_PER_WRITER:
                    peak[backend] = max(peak.get(backend, 0), writers)
    print(f"most writers at once with every write stored and no error: {peak} "
          f"(of {args.writers}); load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
