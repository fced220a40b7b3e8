"""Benchmark: disk used per student in the exchange, ``submitted/``, ``autograded/`` and ``feedback/``.

    python -m bench.disk --students 1000 [--graded 20] [--baseline /work/base]
                         [--baseline-students 50] [--scratch DIR] [--no-sandbox]

What it measures
----------------
For a generated class, the bytes each student costs in every folder a submission passes
through, beyond the student's own notebook (``*.ipynb``): the course's goal (issue 22) is
under 1 MB. Each folder is measured twice:

- **apparent**: the sum of the files' sizes (``st_size``), as ``du --apparent-size`` counts
  them; a hard link counts as often as it appears;
- **on disk**: the blocks actually allocated (``st_blocks``), directories included, as ``du``
  counts them, each file (``st_dev``, ``st_ino``) once in a row: a hard link to the course's
  ``source/`` or ``release/`` (one copy for the class, not per student) costs nothing, and a
  file linked from two students' folders costs once.

The rows: the exchange's ``inbound/`` (what ``nbgrader submit`` wrote), the student's own
submit cache (``Exchange.cache``: in the student's home, not the course's, shown for
completeness), ``submitted/<student>/`` (after ``nbgrader collect``), ``autograded/<student>/``
and ``feedback/<student>/`` (after the course's grading run and ``nbgrader generate_feedback``),
and ``.grading/``, the grading run's own work folder, divided by the students it graded.

How
---
Everything runs in a temporary copy of the course under ``--scratch`` (default: the system's
temporary folder), made as the tests make one (tests/support/course.py ``new_course``: the
configuration, ``assignments.toml``, ``grading/``, ``source/`` and the answer key), with
``release/`` from ``nbgrader generate_assignment``. Then, with nbgrader's real exchange in a
temporary ``Exchange.root``:

1. ``nbgrader release_assignment``;
2. for each student ``s0000``, ``s0001``, ...: nbgrader's own exchange classes, in one Python
   process (``hand_in``; 1000 ``nbgrader`` processes would take ten times as long), built from
   the course's ``nbgrader_config.py`` as ``nbgrader fetch_assignment`` and ``nbgrader submit``
   build them (so ``submit`` is the class ``c.ExchangeFactory.submit`` names), with
   ``CourseDirectory.student_id`` set to the student: fetch, put a notebook in place of the
   released one (the demo class's ``reference``, ``mistakes`` and ``untouched`` notebooks in
   turn, from the checkout's ``demo/submitted/``), submit. Each student's fetched folder and
   submit cache is measured and deleted at once;
3. ``nbgrader collect``;
4. a sample of ``--graded`` students, spread over the class, is graded with the course's real
   grading run (``python -m grading.run``; ``grading.parallel`` in older checkouts), the
   others' ``submitted/`` folders removed first: grading 1000 notebooks takes hours on two
   cores. ``autograded/``, ``feedback/`` and ``.grading/`` are measured per graded student
   and scaled to the class, and the table says so;
5. ``nbgrader generate_feedback``.

With ``--baseline DIR`` the same runs, in the same invocation, with that checkout's course
files, its venv (``DIR/.venv/bin/python``) and its own grading run, and the table shows
before and after side by side. Before this course's change every submission carried the
20 MB of photos, so the baseline's exchange is measured on ``--baseline-students`` students
(default 50: 2 GB of scratch) and scaled to the class; the table says so.

How long
--------
On two cores, ``--students 1000 --graded 10 --baseline /work/base`` took 4 minutes: the
grading runs most of it (4 to 11 s a graded student), 1000 students' fetch and submit 11 s,
the course copy with ``generate_assignment`` 10 to 20 s, each other ``nbgrader`` command a few
seconds. The baseline's 50 students need about 2 GB of scratch at most, this checkout's 1000 about
250 MB; the scratch is deleted at the end (``--keep`` keeps it).
"""
import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coursetools.course_copy import copy_course

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
ASSIGNMENT = "em_prankster"
COURSE_ID = "em-prankster"
DEMO_KINDS = ("reference", "mistakes", "untouched")  # the demo class, in turn
# The scratch a checkout's run may fill at most: the exchange's students, and the graded sample,
# are checked against it before they start (a submission carrying the photos costs 20 MB a copy).
SCRATCH_LIMIT = 5 * 10**9


# --- Measuring ------------------------------------------------------------------------------------

@dataclasses.dataclass
class Usage:
    """What some students' folders hold.

    Attributes
    ----------
    students : int
        How many students the folders are of.
    apparent, disk : int
        Bytes: the files' sizes, and the blocks allocated (each inode once).
    notebook_apparent, notebook_disk : int
        The same, for the notebooks (``*.ipynb``) among them: the students' own.
    """

    students: int = 0
    apparent: int = 0
    disk: int = 0
    notebook_apparent: int = 0
    notebook_disk: int = 0

    def add(self, other):
        """This usage and ``other``'s, summed."""
        return Usage(*(a + b for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other))))

    def per_student(self):
        """(apparent, on disk, notebook's apparent) bytes per student beyond the notebook."""
        n = max(self.students, 1)
        return ((self.apparent - self.notebook_apparent) / n, (self.disk - self.notebook_disk) / n,
                self.notebook_apparent / n)


def usage(folders, seen, students=1):
    """The bytes under ``folders``, links not followed.

    Parameters
    ----------
    folders : iterable of path-like
        Folders (or files); a missing one counts nothing.
    seen : set of (int, int)
        (st_dev, st_ino) of everything counted on disk so far; updated. An inode in it
        adds its apparent size only. Only files that all exist at once may share it: the
        number of a deleted file's inode is given to new files.
    students : int
        How many students ``folders`` belong to.

    Returns
    -------
    Usage
    """
    total = Usage(students=students)

    def count(path, st):
        size = st.st_size if not os.path.isdir(path) or os.path.islink(path) else 0
        key = (st.st_dev, st.st_ino)
        blocks = 0 if key in seen else st.st_blocks * 512
        seen.add(key)
        total.apparent += size
        total.disk += blocks
        if str(path).endswith(".ipynb") and os.path.isfile(path) and not os.path.islink(path):
            total.notebook_apparent += size
            total.notebook_disk += blocks

    for folder in folders:
        if not os.path.lexists(folder):
            continue
        count(folder, os.lstat(folder))
        for where, dirs, files in os.walk(folder):  # does not descend into links
            for name in dirs + files:
                path = os.path.join(where, name)
                count(path, os.lstat(path))
    return total


# --- One checkout's course ------------------------------------------------------------------------

@dataclasses.dataclass
class Side:
    """A checkout of the course to measure, with its own venv and grading run.

    Attributes
    ----------
    label : str
        "before" or "after".
    checkout : Path
        The checkout's folder.
    python : Path
        Its venv's interpreter.
    grading_module : str
        Its grading run: ``grading.run``, or ``grading.parallel`` in checkouts before it moved.
    students : int
        How many students hand in through its exchange.
    """

    label: str
    checkout: Path
    python: Path
    grading_module: str
    students: int

    @classmethod
    def of(cls, label, checkout, students):
        checkout = Path(checkout).resolve()
        python = checkout / ".venv" / "bin" / "python"
        if not python.exists():
            raise SystemExit(f"{checkout}: no venv at {python} (run make venv there)")
        module = "grading.run" if (checkout / "grading" / "run").is_dir() else "grading.parallel"
        return cls(label, checkout, python, module, students)

    def env(self):
        """The environment of its commands: its venv first on PATH (nbgrader runs alembic)."""
        env = dict(os.environ)
        env.pop("NBGRADER_EXECUTION", None)
        env["PATH"] = f"{self.python.parent}{os.pathsep}{env.get('PATH', '')}"
        env.setdefault("MPLBACKEND", "Agg")
        return env

    def run(self, course, *args, timeout=7200):
        """Run ``python ARGS`` with its venv in ``course``; its standard output, or stop with its output."""
        proc = subprocess.run([str(self.python), *args], cwd=course, env=self.env(),
                              capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise SystemExit(f"[{self.label}] {' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return proc.stdout

    def nbgrader(self, course, *args):
        """Run ``nbgrader ARGS`` with its venv in ``course`` (warnings and errors only)."""
        return self.run(course, "-m", "nbgrader", *args, "--log-level=WARN")

    def notebooks(self):
        """The notebooks its students hand in, in turn: the demo class's, or the release."""
        demo = [self.checkout / "demo" / "submitted" / k / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
                for k in DEMO_KINDS]
        return [str(p) for p in demo if p.exists()] or [None]

    def new_course(self, folder):
        """A copy of its course in ``folder``, with ``release/`` and the gradebook generated."""
        copy_course(self.checkout, folder)  # an older checkout may lack the registry
        (folder / "build").mkdir()
        shutil.copy(self.checkout / "build" / "truth.npz", folder / "build" / "truth.npz")
        self.nbgrader(folder, "generate_assignment", ASSIGNMENT)
        return folder


def spread(students, k):
    """``k`` of ``students`` spread evenly over the list (every demo kind among them)."""
    k = min(k, len(students))
    return [students[i * len(students) // k] for i in range(k)]


def measure_side(side, scratch, graded, sandbox, log):
    """Hand in, collect, grade a sample and give feedback for one checkout; measure each folder.

    Parameters
    ----------
    side : Side
    scratch : Path
        An empty folder for its course, exchange and students' homes.
    graded : int
        How many students to grade.
    sandbox : bool
        Grade in the sandbox (the course's default).
    log : callable
        Prints progress.

    Returns
    -------
    rows : dict of str to Usage
        Per folder (ROWS' keys).
    times : dict of str to float
        Seconds per phase.
    outbound : int
        Bytes of the exchange's ``outbound/`` (one copy for the class).
    """
    times, rows = {}, {}
    t = time.perf_counter()
    course = side.new_course(scratch / "course")
    exchange = scratch / "exchange"
    exchange.mkdir()
    exchange_opt = f"--Exchange.root={exchange}"
    side.nbgrader(course, "release_assignment", ASSIGNMENT, exchange_opt)
    times["course copy, generate and release"] = time.perf_counter() - t
    course_copy = set()
    usage([course / "source", course / "release"], course_copy)  # the course's own: not per student
    outbound = usage([exchange / COURSE_ID / "outbound"], set()).disk

    def measure(folders, students):  # inode numbers of deleted files come back: one set a row
        return usage(folders, set(course_copy), students)

    t = time.perf_counter()
    students = [f"s{i:04d}" for i in range(side.students)]
    spec = {"course": str(course), "exchange": str(exchange), "scratch": str(scratch / "students"),
            "students": students, "notebooks": side.notebooks(), "limit": SCRATCH_LIMIT}
    (scratch / "hand_in.json").write_text(json.dumps(spec))
    log(f"[{side.label}] {len(students)} students fetch and submit ({side.python})")
    out = side.run(course, str(HERE), "--hand-in", str(scratch / "hand_in.json"))
    cache = json.loads(out.splitlines()[-1])  # its last line
    rows["student's submit cache"] = Usage(**cache)
    times[f"fetch + submit, {len(students)} students"] = time.perf_counter() - t

    t = time.perf_counter()
    side.nbgrader(course, "collect", ASSIGNMENT, exchange_opt, "--ExchangeCollect.check_owner=False")
    times["nbgrader collect"] = time.perf_counter() - t
    inbound = exchange / COURSE_ID / "inbound"
    rows["exchange inbound/"] = measure([inbound], len(students))
    rows["submitted/<student>/"] = measure([course / "submitted" / s for s in students], len(students))
    shutil.rmtree(inbound)

    sample = spread(students, graded)
    projected = 4 * rows["submitted/<student>/"].per_student()[1] * len(sample)  # staged, graded, feedback
    if projected > SCRATCH_LIMIT:
        raise SystemExit(f"grading {len(sample)} students could need {human(projected)}: grade fewer")
    for student in set(students) - set(sample):
        shutil.rmtree(course / "submitted" / student)
    log(f"[{side.label}] {side.grading_module} grades {len(sample)} students")
    t = time.perf_counter()
    side.run(course, "-m", side.grading_module, ASSIGNMENT, *([] if sandbox else ["--no-sandbox"]))
    times[f"grading run, {len(sample)} students"] = time.perf_counter() - t
    t = time.perf_counter()
    side.nbgrader(course, "generate_feedback", ASSIGNMENT)
    times["nbgrader generate_feedback"] = time.perf_counter() - t
    for row, folder in (("autograded/<student>/", "autograded"), ("feedback/<student>/", "feedback")):
        rows[row] = measure([course / folder / s for s in sample], len(sample))
    rows[".grading/ (work folder)"] = measure([course / ".grading"], len(sample))
    return rows, times, outbound


# --- The students' side: nbgrader's exchange classes, in one process -------------------------------

def hand_in(spec_path):
    """Fetch and submit for every student of the spec; print their submit caches' Usage as JSON.

    Runs under the measured checkout's venv, in its course copy (``measure_side`` starts it):
    the classes are those its ``nbgrader_config.py`` configures, as ``nbgrader fetch_assignment``
    and ``nbgrader submit`` would build them for a student with ``CourseDirectory.student_id``.

    Parameters
    ----------
    spec_path : path-like
        JSON: ``course``, ``exchange``, ``scratch`` (for the students' homes and caches),
        ``students`` (ids) and ``notebooks`` (paths handed in in turn; null: the release's).
    """
    spec = json.loads(Path(spec_path).read_text())
    course = spec["course"]
    sys.path[0] = course  # the course copy's grading package, which its configuration imports
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeFactory
    from traitlets.config import Config, PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=course).load_config()
    config.merge(Config({"CourseDirectory": {"assignment_id": ASSIGNMENT},
                         "Exchange": {"root": spec["exchange"]}}))
    scratch = Path(spec["scratch"])
    inbound = Path(spec["exchange"], COURSE_ID, "inbound")
    cache_total = Usage()
    for i, student in enumerate(spec["students"]):
        home, cache = scratch / "home" / student, scratch / "cache" / student
        config.CourseDirectory.student_id = student  # each app below reads its config when built
        config.Exchange.cache, config.Exchange.assignment_dir = str(cache), str(home)
        factory, auth = ExchangeFactory(config=config), Authenticator(config=config)
        factory.FetchAssignment(coursedir=CourseDirectory(config=config), authenticator=auth,
                                config=config).start()
        notebook = spec["notebooks"][i % len(spec["notebooks"])]
        if notebook:
            shutil.copy(notebook, home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        factory.Submit(coursedir=CourseDirectory(config=config), authenticator=auth,
                       config=config).start()
        cache_total = cache_total.add(usage([cache], set()))
        shutil.rmtree(home)
        shutil.rmtree(cache)
        if i == 0:  # inbound/ and, after collect, submitted/ will hold this much per student
            projected = 2 * usage([inbound], set()).disk * len(spec["students"])
            if projected > spec["limit"]:
                raise SystemExit(f"{len(spec['students'])} submissions would need {human(projected)} "
                                 f"in inbound/ and submitted/, over {human(spec['limit'])}: hand in "
                                 "fewer (--baseline-students)")
    print(json.dumps(dataclasses.asdict(cache_total)))


# --- The table ------------------------------------------------------------------------------------

ROWS = ("exchange inbound/", "submitted/<student>/", "autograded/<student>/", "feedback/<student>/",
        ".grading/ (work folder)", "student's submit cache")
MAIN_ROWS = 4  # the folders of the course's goal; the others are shown for completeness


def human(n):
    """Bytes in decimal units: '20.1 MB'."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000


def table(results, students):
    """The table: folder | per student beyond the notebook (apparent, on disk) | class total.

    Parameters
    ----------
    results : list of (Side, dict of str to Usage)
    students : int
        The class size the totals are for.

    Returns
    -------
    str
    """
    head = ["folder"]
    for side, _ in results:
        head += [f"{side.label}: per student, apparent", "on disk", f"{students} students, on disk",
                 "measured on"]
    lines = []
    for name in ROWS:
        line = [name]
        for _, rows in results:
            row = rows[name]
            apparent, disk, _ = row.per_student()
            line += [f"{apparent:,.0f} B", f"{disk:,.0f} B", human(disk * students),
                     f"{row.students}" + ("" if row.students == students else
                                          f" (x{students / max(row.students, 1):g})")]
        lines.append(line)
    totals = ["the four course folders"]
    for _, rows in results:
        apparent = sum(rows[name].per_student()[0] for name in ROWS[:MAIN_ROWS])
        disk = sum(rows[name].per_student()[1] for name in ROWS[:MAIN_ROWS])
        totals += [f"{apparent:,.0f} B", f"{disk:,.0f} B", human(disk * students), ""]
    lines.insert(MAIN_ROWS, totals)
    lines.insert(MAIN_ROWS, None)
    notebooks = ["(the student's own notebook)"]
    for _, rows in results:
        notebooks += [f"{rows['submitted/<student>/'].per_student()[2]:,.0f} B", "", "", ""]
    lines.append(None)
    lines.append(notebooks)
    widths = [max(len(str(c)) for c in column) for column in zip(head, *[l for l in lines if l])]

    def fmt(cells):
        return " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([fmt(head), rule] + [rule if l is None else fmt(l) for l in lines])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1000, help="the class size (default 1000)")
    parser.add_argument("--graded", type=int, default=20,
                        help="how many of them the grading run grades (default 20)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="a checkout to measure too, with its own .venv, side by side")
    parser.add_argument("--baseline-students", type=int, default=50,
                        help="students handing in through the baseline's exchange, scaled to "
                        "--students (default 50: each carries 20 MB there)")
    parser.add_argument("--scratch", type=Path, default=None, help="where to work (default: $TMPDIR)")
    parser.add_argument("--no-sandbox", dest="sandbox", action="store_false",
                        help="grade without the sandbox (passed to the grading runs)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)
    if args.graded < 1 or args.students < 1:
        parser.error("--students and --graded must be at least 1")

    sides = [Side.of("after", ROOT, args.students)]
    if args.baseline:
        sides.insert(0, Side.of("before", args.baseline, min(args.baseline_students, args.students)))
    scratch = Path(tempfile.mkdtemp(prefix="bench-disk-", dir=args.scratch))
    if shutil.disk_usage(scratch).free < 2 * SCRATCH_LIMIT:
        shutil.rmtree(scratch)
        raise SystemExit(f"less than {human(2 * SCRATCH_LIMIT)} free in {scratch.parent}")

    start = time.perf_counter()
    results, timings = [], []
    try:
        for side in sides:
            rows, times, outbound = measure_side(side, scratch / side.label, args.graded, args.sandbox,
                                                 lambda text: print(text, file=sys.stderr, flush=True))
            results.append((side, rows))
            timings.append((side, times, outbound))
            shutil.rmtree(scratch / side.label)  # before the next side fills the scratch
    finally:
        if args.keep:
            print(f"scratch kept: {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)

    print(f"Disk per student beyond the student's own notebook (*.ipynb), class of {args.students}")
    print("(apparent: files' sizes; on disk: blocks allocated, directories included, each inode "
          "once a row, links to the course's source/ and release/ free)\n")
    print(table(results, args.students))
    print()
    for side, times, outbound in timings:
        print(f"{side.label}: {side.checkout} ({side.grading_module}); exchange outbound/, one "
              f"copy for the class: {human(outbound)}")
        for phase, seconds in times.items():
            print(f"    {phase:40} {seconds:7.1f} s")
    print("\nfeedback/ holds no notebook: its HTML page counts in full.")
    print(f"autograded/, feedback/ and .grading/ are measured on the students graded (a sample "
          f"spread over the class) and scaled to {args.students}; a row 'measured on' fewer "
          f"students than the class is scaled the same way.")
    print(f"total run time {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--hand-in":  # measure_side's student process
        hand_in(sys.argv[2])
    else:
        sys.exit(main())
