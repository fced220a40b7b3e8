"""Benchmark: what starting an nbgrader process costs, with the pinned jsonschema against the one before.

    python -m bench.startup [--repeats R]

Every nbgrader, nbconvert and Jupyter process imports nbformat's validator, and with it
``jsonschema``. From jsonschema 4.25 on, the extra ``format-nongpl`` (which jupyter-events asks
for) pulls ``rfc3987-syntax``, and jsonschema imports it when present: it builds 39 Earley
parsers from a grammar on import. requirements.txt pins jsonschema 4.24.1, the last release
without it. Timed here, alternating, ``R`` times each (median, min-max):

- **now**: this environment as installed (jsonschema 4.24.1, no rfc3987-syntax);
- **before**: the same, with jsonschema 4.26.0, rfc3987-syntax 1.1.0 and lark 1.3.1 (the pins
  before) put first on ``PYTHONPATH`` from a throw-away folder (``pip install --target``: this
  needs PyPI), so that every other package is the same.

Two commands: ``python -c "import nbformat, nbgrader.apps"``, and ``nbgrader
generate_assignment`` of the first assignment in a temporary copy of the course.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coursetools.course_copy import copy_course
from grading import assignments

ROOT = Path(__file__).resolve().parents[1]
BEFORE = ("jsonschema==4.26.0", "rfc3987-syntax==1.1.0", "lark==1.3.1")


def seconds(command, cwd, env):
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    assignment = assignments.names()[0]
    bin_dir = Path(sys.executable).parent
    now = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with tempfile.TemporaryDirectory() as tmp:
        packages = Path(tmp, "before")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                        str(packages), *BEFORE], check=True)
        before = dict(now, PYTHONPATH=str(packages))
        course = copy_course(ROOT, Path(tmp, "course"))
        commands = {
            "import nbformat, nbgrader.apps": [sys.executable, "-c", "import nbformat, nbgrader.apps"],
            f"nbgrader generate_assignment {assignment}": [
                str(bin_dir / "nbgrader"), "generate_assignment", assignment, "--force", "--log-level=ERROR"],
        }
        probe = "import sys, nbformat, nbgrader.apps; print('rfc3987_syntax' in sys.modules)"
        for name, env in (("now", now), ("before", before)):
            loaded = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True).stdout
            print(f"{name}: rfc3987_syntax imported: {loaded.strip()}")
        times = {(c, n): [] for c in commands for n in ("now", "before")}
        for _ in range(args.repeats):
            for command, argv_ in commands.items():
                for name, env in (("now", now), ("before", before)):
                    times[command, name].append(seconds(argv_, course, env))
    print(f"seconds, median of {args.repeats} (min-max), load average at the end {os.getloadavg()[0]:.2f}:")
    for command in commands:
        medians = {}
        for name in ("now", "before"):
            found = times[command, name]
            medians[name] = statistics.median(found)
            print(f"  {command:<45} {name:<6} {medians[name]:6.2f} ({min(found):.2f}-{max(found):.2f})")
        print(f"  {'':<45} saved  {medians['before'] - medians['now']:6.2f} a process")


if __name__ == "__main__":
    main()
