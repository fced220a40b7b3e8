"""Benchmark: how the grading run cuts the class into parts, when slow submissions come in a row.

    python -m bench.shards [--fast 12] [--slow 3] [--sleep 20] [--workers 2] [--repeats 2]

A worker process grades one part of the class at a time (grading/run/parallel.py). Parts of
one size (the run before ``shards_of``: at most 10, a (2 x workers)-th of the class) put
submissions that sort together into one part, so a few slow ones in a row are graded one
after the other by one worker while the others have nothing left to do. ``shards_of`` makes
the parts shrink as the queue empties, down to one student.

Two classes of the same size: ``--fast`` copies of the demo's reference submission, then
``--slow`` ones (sorted last, as the hostile suite's ``time_*`` cases are) whose notebook has a
cell that sleeps ``--sleep`` seconds after the imports; and the same number of students, all
fast, which shows what the smaller parts cost (a worker's start-up each). Both plans grade each
class in the sandbox, alternating, ``R`` times each; printed: the run's seconds, median
(min-max), and the ratio.
"""
import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coursetools.course_copy import copy_course
from grading import assignments
from grading.run import parallel

ROOT = Path(__file__).resolve().parents[1]


def slow_copy(notebook, seconds):
    """The notebook with a plain cell that sleeps ``seconds`` after its first code cell."""
    nb = json.loads(notebook.read_text())
    first = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    nb["cells"].insert(first + 1, {"cell_type": "code", "execution_count": None, "metadata": {},
                                   "outputs": [], "source": f"import time\ntime.sleep({seconds})"})
    return json.dumps(nb)


def make_course(folder, assignment, fast, slow, sleep):
    course = copy_course(ROOT, folder)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force",
                    "--log-level=ERROR"], cwd=course, env=env, check=True)
    reference = ROOT / "demo" / "submitted" / "reference" / assignment / f"{assignment}.ipynb"
    for i in range(fast + slow):
        target = course / "submitted" / (f"fast{i:03d}" if i < fast else f"slow{i:03d}") / assignment
        target.mkdir(parents=True)
        if i < fast:
            shutil.copy(reference, target / reference.name)
        else:
            (target / reference.name).write_text(slow_copy(reference, sleep))
    return course


def old_size(students, workers):
    """The one part size the run used before shards_of."""
    return max(1, min(10, -(-students // (2 * workers))))


def grade(course, assignment, workers, size):
    for name in ("autograded", ".grading"):
        shutil.rmtree(course / name, ignore_errors=True)
    start = time.perf_counter()
    cwd = os.getcwd()
    os.chdir(course)
    try:
        not_graded = parallel.autograde(course, assignment, workers, out=io.StringIO(), chunk=size)
    finally:
        os.chdir(cwd)
    assert not not_graded, not_graded
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", type=int, default=12)
    parser.add_argument("--slow", type=int, default=3)
    parser.add_argument("--sleep", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    assignment = assignments.names()[0]
    students = args.fast + args.slow
    size = old_size(students, args.workers)
    plans = {f"one size ({size})": size, "shrinking (shards_of)": None}
    print(f"parts: one size {[len(p) for p in parallel.shards_of(list(range(students)), args.workers, size)]}, "
          f"shrinking {[len(p) for p in parallel.shards_of(list(range(students)), args.workers)]}")
    classes = {f"{args.fast} fast, then {args.slow} that sleep {args.sleep:g} s": (args.fast, args.slow),
               f"{students} fast": (students, 0)}
    with tempfile.TemporaryDirectory() as tmp:
        for n, (label, (fast, slow)) in enumerate(classes.items()):
            course = make_course(Path(tmp, f"course{n}"), assignment, fast, slow, args.sleep)
            times = {plan: [] for plan in plans}
            for _ in range(args.repeats):
                for plan, plan_size in plans.items():
                    times[plan].append(grade(course, assignment, args.workers, plan_size))
            print(f"{label}, {args.workers} workers, in the sandbox: seconds for the run, median of "
                  f"{args.repeats} (min-max), load average now {os.getloadavg()[0]:.2f}:")
            for plan, found in times.items():
                print(f"  {plan:<24} {statistics.median(found):6.1f} ({min(found):.1f}-{max(found):.1f})")
            one, shrinking = (statistics.median(t) for t in times.values())
            print(f"  shrinking / one size: {shrinking / one:.2f}")


if __name__ == "__main__":
    main()
