"""The class report's time and size for a generated class (grading/run/report.py).

    python -m bench.report_class [--students N] [--repeats R] [--keep DIR]

Makes ``N`` synthetic result records (grading/run/record.py) with the grade cells of
em_prankster's notebook (its grade_ids, points, and functions x behaviours as the feedback
names them): most students pass most cells, failures come with one of a handful of messages
whose numbers differ from student to student, and a few students are held for review, late,
or not graded. Times ``report.write`` ``R`` times (min and median) and prints the sizes of
the page and the CSV. ``--keep DIR`` leaves them there to look at.
"""
import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from grading import assignments
from grading.run import record, report
from grading.steps.feedback import describe

ASSIGNMENT = "em_prankster"
MESSAGES = ["{call} is wrong.\nexpected:\n[[-3541.69812064 -5541.69812064]]\ngot:\n[[{x:.8f} {y:.8f}]]",
            "{call} returned nan or inf values:\n[nan {x:.4f}]",
            "rough start 1: the bound decreased: LL = [{x:.10f}, {y:.10f}]",
            "NotImplementedError"]
REASONS = ["no em_prankster/ folder in the submission", "no notebook in the submission",
           "em_prankster.ipynb is not valid JSON", "the grading process died while grading it (signal 9)"]


def grade_cells():
    """[(grade_id, points)] of the notebook's grade cells, in order."""
    notebook = json.loads(assignments.load(ASSIGNMENT).source_notebook.read_text())
    metas = [c.get("metadata", {}).get("nbgrader", {}) for c in notebook["cells"]]
    return [(m["grade_id"], float(m.get("points", 0))) for m in metas if m.get("grade")]


def synthetic_class(size, seed=0):
    """``size`` StudentResults, reproducible for a given ``seed``."""
    rng, cells = random.Random(seed), grade_cells()
    maximum = sum(points for _, points in cells)
    hard = {gid: rng.uniform(0.02, 0.4) for gid, _ in cells}  # each cell's chance to fail
    results = []
    for i in range(size):
        name = f"student{i:04d}"
        if rng.random() < 0.02:
            results.append(record.not_graded(name, ASSIGNMENT, rng.choice(REASONS)))
            continue
        skill, graded = rng.random(), []
        for gid, points in cells:
            section, behaviour = describe(gid)
            failed = rng.random() < hard[gid] * (1.5 - skill)
            extra = 1.0 if not points and not failed else 0.0
            message = rng.choice(MESSAGES).format(call=f"{section}(tX, tF, tB, ts)", x=rng.gauss(-3000, 500),
                                                  y=rng.gauss(-5000, 500)) if failed else ""
            graded.append(record.CellResult(gid, section, behaviour, 0.0 if failed else points + extra,
                                            points, extra, passed=not failed,
                                            reason="wrong" if failed else "", message=message))
        held = [graded[5].grade_id] if rng.random() < 0.01 else []
        late = rng.expovariate(1 / 7200) if rng.random() < 0.08 else 0.0
        results.append(record.StudentResult(
            name, ASSIGNMENT, graded=True, score=sum(c.score for c in graded), max_score=maximum,
            extra_credit=sum(c.extra_credit for c in graded), seconds_late=late,
            late_penalty=round(late / 3600), seconds=rng.lognormvariate(2.2, 0.35), held=held,
            held_because="cell 12: patched numpy.allclose" if held else "", cells=graded))
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the report here, and leave it")
    args = parser.parse_args(argv)
    results = synthetic_class(args.students)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            report.write(folder, results)
            times.append(time.perf_counter() - start)
        sizes = {name: (folder / name).stat().st_size for name in (report.REPORT_HTML, report.REPORT_CSV)}
    print(f"class report for {args.students} students ({len(grade_cells())} grade cells), "
          f"{args.repeats} runs: min {min(times) * 1000:.1f} ms, median {statistics.median(times) * 1000:.1f} ms")
    for name, size in sizes.items():
        print(f"  {name}: {size / 1024:.1f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
