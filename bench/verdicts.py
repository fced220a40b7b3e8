"""Grading time per submission, verdicts outside the kernel against checks inside it, in one run.

    python -m bench.verdicts [--baseline REF] [--class-size N] [--repeats R]   (make bench-verdicts)

Two copies of the course are graded, one after the other, ``R`` times each, alternating:

- **before**: the course as it was at ``REF`` (``git archive``: nbgrader_config.py, grading/,
  source/ and its demo class), whose hidden tests ran in the student's kernel;
- **after**: this working tree, where the kernel only hands out values and the grading
  process runs the checks (grading/verdicts/).

Each copy grades ``N`` students (its own demo class, cycled) with ``python -m grading.run
--workers 1`` in the sandbox; the run's own working folder is the course, so each copy runs its
own ``grading`` package (also on ``PYTHONPATH``, for the processes the run starts). Both use
this machine's data and environment. Printed: seconds per
submission, median and range, and the ratio of the medians, with the load average before and
after (other work on the machine slows both alike, since they alternate).
"""
import argparse
import io
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

from grading import assignments

ROOT = pathlib.Path(__file__).resolve().parents[1]
BASELINE = "ab2ae50"  # the last commit whose hidden tests ran in the student's kernel
COPIED = ("nbgrader_config.py", "grading", "source", "demo/submitted")  # and assignments.toml, where it is
DATA = ("data_em.npy", "lineup.png")  # made by `make data`, not in git


def env():
    return dict(os.environ, PATH=str(pathlib.Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])


def make_course(folder, ref, size, assignment):
    """A released course in ``folder`` from git ``ref`` (None: this working tree), with
    ``size`` students from its own demo class."""
    folder.mkdir(parents=True)
    if ref is None:
        for name in (*COPIED, "assignments.toml"):
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
            copy(ROOT / name, target)
    else:
        archive = subprocess.run(["git", "archive", ref, *COPIED], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        if subprocess.run(["git", "cat-file", "-e", f"{ref}:assignments.toml"], cwd=ROOT,
                          stderr=subprocess.DEVNULL).returncode == 0:
            archive_registry = subprocess.run(["git", "show", f"{ref}:assignments.toml"], cwd=ROOT,
                                              capture_output=True, check=True).stdout
            (folder / "assignments.toml").write_bytes(archive_registry)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
    for name in DATA:
        if (ROOT / "source" / assignment / name).exists():
            shutil.copy(ROOT / "source" / assignment / name, folder / "source" / assignment / name)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force",
                    "--log-level=ERROR"], cwd=folder, env=env(), check=True)
    demo = sorted((folder / "demo" / "submitted").iterdir())
    for i in range(size):
        shutil.copytree(demo[i % len(demo)], folder / "submitted" / f"student{i:03d}")
    return folder


def grade(course, size, assignment):
    """Seconds per submission of one grading run of the whole class, in the sandbox (with the
    command of the copy's own version: ``grading.run``, or ``grading.parallel`` before it)."""
    command = "grading.run" if (course / "grading" / "run").is_dir() else "grading.parallel"
    for name in ("autograded", ".grading"):
        shutil.rmtree(course / name, ignore_errors=True)
    start = time.perf_counter()
    # PYTHONPATH: every process of the run (nbgrader's too) imports the copy's own grading package
    subprocess.run([sys.executable, "-m", command, assignment, "--workers", "1"],
                   cwd=course, env=dict(env(), PYTHONPATH=str(course)), check=True, capture_output=True)
    return (time.perf_counter() - start) / size


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default=assignments.names()[0],
                        help="the assignment whose demo class is graded (default: the first)")
    parser.add_argument("--baseline", default=BASELINE, help=f"git ref of 'before' (default {BASELINE})")
    parser.add_argument("--class-size", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        courses = {"before": make_course(pathlib.Path(tmp, "before"), args.baseline, args.class_size, args.assignment),
                   "after": make_course(pathlib.Path(tmp, "after"), None, args.class_size, args.assignment)}
        times = {name: [] for name in courses}
        for _ in range(args.repeats):
            for name, course in courses.items():
                times[name].append(grade(course, args.class_size, args.assignment))
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    print(f"seconds per submission, {args.class_size} submissions, 1 worker, in the sandbox, "
          f"median of {args.repeats} (min-max):")
    for name, found in times.items():
        what = (f"checks in the kernel ({args.baseline})" if name == "before"
                else "verdicts outside the kernel (this tree)")
        print(f"  {name:<7} {statistics.median(found):6.2f} ({min(found):.2f}-{max(found):.2f})  {what}")
    ratio = statistics.median(times["after"]) / statistics.median(times["before"])
    print(f"  after / before: {ratio:.3f}")


if __name__ == "__main__":
    main()
