"""Benchmark: EM per iteration, the whole schedule, and autograding with 1 and 2 workers,
with and without the sandbox.

    make bench            # or: python -m bench.run [--loop-images N] [--class-size N] [--repeats N]

Everything is timed in the same run on the same data (data_em.npy from `make data`):
the reference solution from source/, and the two baselines of bench/baselines.py.
The yardstick is one plain numpy matrix product of the shape the reference computes
(offsets x pixels times pixels x images), timed here too: each EM iteration is also given
as the number of such products it costs. Timings are medians of several repeats, with
their spread (min-max).
"""
import argparse
import os
import statistics
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

from bench import baselines
from coursetools import notebook_cells
from grading.run import parallel
from grading import assignments

# What this benchmark times is em_prankster's EM: its reference solution, its photos, its schedule.
EM = assignments.load("em_prankster")
ASSIGNMENT, FUNCTIONS, NOTEBOOK = EM.name, EM.functions, EM.notebook

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE = ROOT / "source" / ASSIGNMENT / NOTEBOOK


def reference():
    return notebook_cells.run_cells(notebook_cells.read(SOURCE), ["imports", *FUNCTIONS], folder=EM.folder)


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


# --- EM iterations against the machine's limit -------------------------------------------------

def spread(times):
    """(median, min, max) of a list of seconds."""
    return statistics.median(times), min(times), max(times)


def show(times, unit=None):
    """'0.105 s (0.101-0.110)', and the number of ``unit`` seconds it is worth."""
    median, low, high = spread(times)
    text = f"{median:6.3f} s ({low:.3f}-{high:.3f})"
    return text + (f" = {median / unit:4.1f} products" if unit else "")


def product_seconds(X, w=73, repeats=7):
    """One plain numpy matrix product of the reference's shape: (offsets x pixels) @ (pixels x images).

    The log-likelihoods of every image at every offset are one such product, and EM's M-step
    another (its transpose): the machine's limit for this work, measured, not assumed.
    """
    H, W, K = X.shape
    models = np.random.default_rng(0).uniform(0, 255, (W - w + 1, H * W))
    images = X.reshape(H * W, K)
    models @ images  # warm-up: threads and memory
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        models @ images
        times.append(time.perf_counter() - t)
    return times


def subnormal_product_seconds(X, w=73, fraction=0.05, repeats=7):
    """The M-step's product q @ images with ``fraction`` of q subnormal, and with those set to 0.

    This is the trap the reference's E-step avoids: an E-step from a random start leaves
    entries of q between 0 and 2.2e-308 (np.finfo(float).tiny), and many processors multiply
    such numbers far slower. Returns (times with subnormals, times with them set to 0).
    """
    H, W, K = X.shape
    rng = np.random.default_rng(1)
    q = rng.dirichlet(np.ones(W - w + 1), size=K).T
    subnormal = rng.random(q.shape) < fraction
    q[subnormal] = rng.uniform(1e-320, 1e-309, subnormal.sum())
    flushed = np.where(q < np.finfo(float).tiny, 0.0, q)
    images = X.reshape(H * W, K)
    assert np.mean((q > 0) & (q < np.finfo(float).tiny)) > fraction / 2
    times = {"subnormal": [], "flushed": []}
    for _ in range(repeats):
        for name, matrix in (("subnormal", q), ("flushed", flushed)):
            t = time.perf_counter()
            matrix @ images.T
            times[name].append(time.perf_counter() - t)
    return times["subnormal"], times["flushed"]


def em_iterations(run_em, X, hard_EM=False, repeats=5, warm=4, extra=4, w=73):
    """Seconds of the first and of a steady iteration, from random starts (run_EM's own).

    For each seed, run_EM from the same random start with max_iter = 0, 1, warm and
    warm + extra: the first iteration is t(1) - t(0) (its M-step works on the posterior of
    the random start), a steady one (t(warm + extra) - t(warm)) / extra, in the middle of a
    run. (For EM every iteration costs the same work; hard-EM's M-step moves only the images
    whose offset changed, which the first iteration does for all of them.) Also returns
    t(1), the whole first call run_EM(X, 73, max_iter=1). One entry per seed in each list.
    """
    run_em(X, w, tolerance=-np.inf, max_iter=1, hard_EM=hard_EM)  # warm-up
    first, steady, call = [], [], []
    for seed in range(repeats):
        seconds = {}
        for iterations in (0, 1, warm, warm + extra):
            np.random.seed(seed)
            t = time.perf_counter()
            run_em(X, w, tolerance=-np.inf, max_iter=iterations, hard_EM=hard_EM)
            seconds[iterations] = time.perf_counter() - t
        first.append(seconds[1] - seconds[0])
        steady.append((seconds[warm + extra] - seconds[warm]) / extra)
        call.append(seconds[1])
    return first, steady, call


def report_iterations(X, repeats):
    """Print the EM and hard-EM iterations, the schedule and memory, against one product.

    The product is timed before and after everything else (the machine may be busier at one
    time than another); its median over both is the yardstick for all the ratios.
    """
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores); medians of {repeats} repeats (min-max)")
    products = product_seconds(X, repeats=2 * repeats)
    run_em = reference()["run_EM"]
    iterations = {name: em_iterations(run_em, X, hard_EM=hard, repeats=repeats)
                  for name, hard in (("EM", False), ("hard-EM", True))}
    with_subnormal, flushed = subnormal_product_seconds(X, repeats=repeats)
    schedules = {name: schedule_repeats(repeats, hard_EM=hard)
                 for name, hard in (("EM", False), ("hard-EM", True))}
    products += product_seconds(X, repeats=2 * repeats)
    product = statistics.median(products)

    print(f"one numpy matrix product (128 x 20000) @ (20000 x 1000), the machine's limit, timed "
          f"before and after the rest: {show(products)}")
    print("one iteration on 1000 images, from random starts:")
    for name, (first, steady, call) in iterations.items():
        ratio = statistics.median(first) / statistics.median(steady)
        print(f"  {name:8s} first  {show(first, product)}   first/steady {ratio:.2f}")
        print(f"  {name:8s} steady {show(steady, product)}")
        print(f"  {name:8s} the first call run_EM(X, 73, max_iter=1), initial E-step included: "
              f"{show(call, product)}")
    speed_up = statistics.median(iterations["EM"][1]) / statistics.median(iterations["hard-EM"][1])
    print(f"  hard-EM's steady iteration is {speed_up:.2f}x as fast as EM's")
    print(f"the M-step's product q @ X with 5 % of q subnormal: {show(with_subnormal)}, "
          f"set to 0: {show(flushed)} "
          f"({statistics.median(with_subnormal) / statistics.median(flushed):.2f}x)")
    for name, (seconds, peak) in schedules.items():
        print(f"the seed's schedule (5 it. on 50, 1 each on 100/300/500/1000), {name:7s}: "
              f"{show(seconds, product)}, peak memory {peak:.0f} MiB")
    em_first, em_steady = (statistics.median(t) for t in iterations["EM"][:2])
    seconds, peak = schedules["EM"]
    print("goals, EM: "
          f"first/steady {em_first / em_steady:.2f} (<= 1.5), "
          f"steady {em_steady / product:.1f} products (<= 3), "
          f"hard-EM {speed_up:.2f}x (>= 1.7), "
          f"schedule {statistics.median(seconds):.2f} s (< 0.6) = "
          f"{statistics.median(seconds) / product:.1f} products (<= 8), peak {peak:.0f} MiB (< 600)")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

SCHEDULE_SCRIPT = """
import resource, time
import numpy as np
from bench.run import reference
from grading import assignments
SCHEDULE = assignments.load("em_prankster").extra["schedule"]
em = reference()["run_EM"]
X = np.load({data!r}).astype(float)

def schedule():
    np.random.seed(0)  # the same random start every time
    F = B = s = a = None
    for images, iterations in SCHEDULE:
        F, B, s, a, _ = em(X[:, :, :images], 73, F, B, s, a, max_iter=iterations, hard_EM={hard})

schedule()  # warm-up, as in the notebook, where the tests have called the functions before
for _ in range({repeats}):
    t = time.perf_counter()
    schedule()
    print(time.perf_counter() - t)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def schedule_repeats(repeats=5, hard_EM=False):
    """The seed's schedule from the same random start, ``repeats`` times in one fresh process
    after one warm-up run (the yardstick's product is warmed up too): seconds of each run,
    and the process's peak memory (MiB)."""
    script = SCHEDULE_SCRIPT.format(data=str(ROOT / "source" / ASSIGNMENT / "data_em.npy"),
                                    hard=bool(hard_EM), repeats=repeats)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    *seconds, peak = map(float, out.stdout.split())
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
    from grading.steps.execute import GuardedExecute
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
    parser.add_argument("--repeats", type=int, default=5, help="repeats behind each median")
    args = parser.parse_args()
    X = np.load(ROOT / "source" / ASSIGNMENT / "data_em.npy").astype(float)

    report_iterations(X, args.repeats)

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
