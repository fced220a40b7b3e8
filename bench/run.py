"""Benchmark: EM per iteration, the whole schedule, and autograding with 1 and 2 workers,
with and without the sandbox.

    make bench            # or: python bench/run.py [--loop-images N] [--class-size N]

Everything is timed in the same run on the same data (data_em.npy from `make data`):
the reference solution from source/, and the two baselines of bench/baselines.py.
"""
import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "source" / "em_prankster")]

import baselines  # noqa: E402
from grading import parallel  # noqa: E402
from prankster import notebooks  # noqa: E402

ASSIGNMENT = "em_prankster"
SOURCE = ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
FUNCTIONS = ["calculate_log_probability", "calculate_lower_bound", "run_e_step", "run_m_step", "run_EM"]
SCHEDULE = [(50, 5), (100, 1), (300, 1), (500, 1), (1000, 1)]


def reference():
    return notebooks.run_cells(notebooks.read(SOURCE), ["imports", *FUNCTIONS])


def start(X, w=73, seed=0):
    """A fixed, reasonable starting point: random F and B, s = 100, uniform prior."""
    rng = np.random.default_rng(seed)
    H, W, _ = X.shape
    return rng.uniform(0, 255, (H, w)), rng.uniform(0, 255, (H, W)), 100.0, np.full(W - w + 1, 1 / (W - w + 1))


def seconds_per_iteration(run_em, X, extra=4, repeats=1):
    """One EM iteration: (time with max_iter=1+extra - time with max_iter=1) / extra.

    The difference leaves out what every call does once (the first E-step and bounds).
    A first call warms up memory and threads. The best of ``repeats`` runs counts.
    """
    run_em(X, 73, *start(X), tolerance=-np.inf, max_iter=1)
    best = np.inf
    for _ in range(repeats):
        times = []
        for iterations in (1, 1 + extra):
            t = time.perf_counter()
            run_em(X, 73, *start(X), tolerance=-np.inf, max_iter=iterations)
            times.append(time.perf_counter() - t)
        best = min(best, (times[1] - times[0]) / extra)
    return best


SCHEDULE_SCRIPT = """
import resource, sys, time
import numpy as np
sys.path[:0] = {paths!r}
from run import reference, SCHEDULE
em = reference()["run_EM"]
X = np.load({data!r}).astype(float)
np.random.seed(0)
t = time.perf_counter()
F = B = s = a = None
for images, iterations in SCHEDULE:
    F, B, s, a, _ = em(X[:, :, :images], 73, F, B, s, a, max_iter=iterations)
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def schedule():
    """Seconds of the seed's schedule with the reference, and the process's peak memory (MiB)."""
    script = SCHEDULE_SCRIPT.format(paths=sys.path[:3], data=str(ROOT / "source" / ASSIGNMENT / "data_em.npy"))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    seconds, peak = map(float, out.stdout.split())
    return seconds, peak


def autograde_class(size, runs):
    """Seconds per submission autograding ``size`` demo submissions, per (workers, sandbox) run."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        course = pathlib.Path(tmp)
        for name in ("nbgrader_config.py",):
            shutil.copy(ROOT / name, course / name)
        shutil.copytree(ROOT / "grading", course / "grading")
        shutil.copytree(ROOT / "source", course / "source")
        env_bin = str(pathlib.Path(sys.executable).parent)
        env = dict(os.environ, PATH=env_bin + os.pathsep + os.environ["PATH"])
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT,
                        "--log-level=ERROR"], cwd=course, env=env, check=True)
        demo = sorted((ROOT / "demo" / "submitted").iterdir())
        for i in range(size):
            shutil.copytree(demo[i % len(demo)], course / "submitted" / f"student{i:03d}")
        for workers, sandbox in runs:
            shutil.rmtree(course / "autograded", ignore_errors=True)
            t = time.perf_counter()
            failures = parallel.autograde(course, ASSIGNMENT, workers, out=open(os.devnull, "w"),
                                          sandbox=sandbox)
            results[workers, sandbox] = (time.perf_counter() - t) / size
            assert not failures, failures
    return results


KERNEL_CELLS = ["import numpy as np\nfrom matplotlib import pyplot as plt", "X = np.load('data_em.npy')",
                "plt.figure(); plt.plot([0, 1]); plt.show()"]


def kernel_seconds(sandbox, repeats=9):
    """Median and spread of seconds to start a kernel and run the notebook's first steps
    (imports, load the data, draw a figure) under GuardedExecute, with or without the sandbox."""
    import nbformat
    from grading.execute import GuardedExecute
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp, ASSIGNMENT)
        folder.mkdir()
        shutil.copy(ROOT / "source" / ASSIGNMENT / "data_em.npy", folder)
        for _ in range(repeats):
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in KERNEL_CELLS])
            nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                         "language": "python"}
            t = time.perf_counter()
            GuardedExecute(sandbox=sandbox).preprocess(nb, {"metadata": {"path": str(folder)}})
            times.append(time.perf_counter() - t)
    return np.median(times), np.min(times), np.max(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--loop-images", type=int, default=1000,
                        help="images for the slow loop baseline (its time is scaled to 1000)")
    parser.add_argument("--class-size", type=int, default=40)
    args = parser.parse_args()
    X = np.load(ROOT / "source" / ASSIGNMENT / "data_em.npy").astype(float)

    ref = seconds_per_iteration(reference()["run_EM"], X, repeats=3)
    products = seconds_per_iteration(baselines.recompute_products, X, repeats=2)
    n = args.loop_images
    loop = seconds_per_iteration(baselines.loop_over_offsets, np.ascontiguousarray(X[:, :, :n]),
                                 extra=1) * 1000 / n
    print("EM iteration on 1000 images of 100x200 (seconds; best of runs):")
    print(f"  reference (two matrix products)      {ref:8.3f}")
    print(f"  baseline: products recomputed        {products:8.3f}   reference is {products / ref:5.1f}x faster")
    print(f"  baseline: one loop over offsets      {loop:8.3f}   reference is {loop / ref:5.0f}x faster"
          + (f"   (timed on {n} images, scaled)" if n != 1000 else ""))
    seconds, peak = schedule()
    print(f"the seed's schedule (5 it. on 50, 1 each on 100/300/500/1000): {seconds:.2f} s, "
          f"peak memory {peak:.0f} MiB")
    plain, boxed = kernel_seconds(False), kernel_seconds(True)
    print("a kernel's start, imports, data and a figure under GuardedExecute (median [min, max] of 9):")
    print(f"  without the sandbox {plain[0]:6.2f} s [{plain[1]:.2f}, {plain[2]:.2f}]")
    print(f"  in the sandbox      {boxed[0]:6.2f} s [{boxed[1]:.2f}, {boxed[2]:.2f}]   "
          f"the sandbox costs {boxed[0] - plain[0]:+.2f} s per submission")
    per = autograde_class(args.class_size, [(1, False), (1, True), (2, True)])
    print(f"autograde, {args.class_size} submissions, each kernel in the sandbox: "
          f"{per[1, True]:.2f} s/submission with 1 worker, "
          f"{per[2, True]:.2f} with 2 ({per[1, True] / per[2, True]:.2f}x)")
    print(f"  the same without the sandbox, 1 worker: {per[1, False]:.2f} s/submission; the sandbox "
          f"costs {per[1, True] - per[1, False]:+.2f} s per submission")


if __name__ == "__main__":
    main()
