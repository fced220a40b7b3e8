"""The checks of em_prankster.ipynb's test cells, and the inputs of its hidden tests.

In a test cell, the lines between ``### BEGIN CHECKS`` and ``### END CHECKS`` are checks
that use the functions below (``check_close``, ``check_loops``, ...). In Jupyter and under
Validate they run in your kernel, on what the rest of the cell computed with your functions.
When the notebook is graded, the grader runs the same checks itself, outside your kernel, on
the values the rest of the cell computed: what your code prints or changes in the kernel
cannot change a verdict.

The hidden tests' inputs (``small_case``, ``synthetic_case``, ...) are defined here and are
not secret: call them to check your functions yourself on more than the visible fixture.
"""
import ast
import contextlib
import inspect
import os
import sys
import textwrap
import warnings

import numpy as np

__all__ = ["alt_text", "as_array", "check_close", "check_loops", "checked_when_graded",
           "count_loops", "exact_fit_case", "figure", "one_hot_q", "other_values", "rough_starts",
           "show_figure", "small_case", "synthetic_case", "time_stages", "unpack"]


def as_array(value, call):
    """``value`` as a plain float ndarray (no subclass), or a clear AssertionError."""
    try:
        return np.array(value, dtype=float, subok=False)
    except (TypeError, ValueError):
        raise AssertionError(f"{call} returned {value!r}, which is not an array of numbers") from None


def check_close(actual, expected, call, rtol=1e-5, atol=1e-8):
    """Fail with a message that shows the call, what was expected and what came back."""
    expected = np.array(expected, dtype=float)
    got = as_array(actual, call)
    if got.shape != expected.shape:
        raise AssertionError(f"{call} returned shape {got.shape}, expected shape {expected.shape}")
    if not np.isfinite(got).all():
        raise AssertionError(f"{call} returned nan or inf values: {got.tolist()}")
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        raise AssertionError(f"{call} is wrong.\nexpected:\n{expected}\ngot:\n{got}")


def unpack(result, names, call):
    """``result`` as a tuple of ``len(names)`` values, or a clear AssertionError.

    ``names`` is a string of one-letter names, such as ``"FBsa"``.
    """
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        count = f"{len(result)} values" if isinstance(result, (tuple, list)) else repr(result)[:200]
        raise AssertionError(f"{call} should return {', '.join(names)} ({len(names)} values); "
                             f"it returned {count}")
    return tuple(result)


CHECKED_WHEN_GRADED = "The checks above ran; this cell's hidden checks run when your notebook is graded"


def checked_when_graded(inputs=""):
    """Say, in a hidden-test cell run by a student, that its checks come at grading time.

    ``inputs`` names the em_grading functions that give the hidden checks' inputs.
    """
    print(CHECKED_WHEN_GRADED + (f" (their inputs: {inputs}, to try yourself)." if inputs else "."))


# --- The hidden tests' inputs ------------------------------------------------------------
# Defined once, here, for every test cell that uses them: they are not secret (only the
# expected values are hidden). Each call returns new arrays, so nothing a test or your code
# does to one can change the next test's inputs.

def small_case():
    """A face 2 wide, 5 offsets, 4 images with non-integer pixels; a prior that rules out
    offset 1, and a q with exact zeros (q = 0 wherever the prior is 0).

    Returns
    -------
    hH, hW, hw, hK : int
        Image height and width, face width, number of images.
    hX : array, shape (hH, hW, hK)
    hF : array, shape (hH, hw)
    hB : array, shape (hH, hW)
    hs : float
    ha : array, shape (hW - hw + 1,)
    hq : array, shape (hW - hw + 1, hK)
    """
    hH, hW, hw, hK = 3, 6, 2, 4
    hX = (np.arange(hH * hW * hK).reshape(hH, hW, hK) * 37 % 23) * 10.5 + 0.25
    hF = (np.arange(hH * hw).reshape(hH, hw) * 5 % 7) * 20.0 + 1.5
    hB = (np.arange(hH * hW).reshape(hH, hW) * 3 % 11) * 15.0 + 0.5
    hs = 30.0
    ha = np.array([0.4, 0.0, 0.3, 0.2, 0.1])
    hq = np.array([[0.7, 0.0, 0.2, 1.0],
                   [0.0, 0.0, 0.0, 0.0],
                   [0.1, 0.5, 0.8, 0.0],
                   [0.2, 0.4, 0.0, 0.0],
                   [0.0, 0.1, 0.0, 0.0]])
    return hH, hW, hw, hK, hX, hF, hB, hs, ha, hq


def one_hot_q():
    """A one-hot q for the small case (as hard-EM's E-step makes it): images 0 and 3 at
    offset 0, images 1 and 2 at offset 2; shape (5, 4)."""
    q = np.zeros((5, 4))
    q[[0, 2, 2, 0], [0, 1, 2, 3]] = 1.0
    return q


def exact_fit_case():
    """Images the model fits exactly: the small case's face and background (times 0.9), each
    of the 4 images the model at one offset, and the one-hot q that puts it there.

    Returns
    -------
    fX : array, shape (3, 6, 4)
    fq : array, shape (5, 4)
    """
    _, hW, hw, _, _, hF, hB, _, _, _ = small_case()
    offsets = [0, 2, 3, 4]
    fX = np.repeat(0.9 * hB[:, :, None], len(offsets), axis=2)
    fq = np.zeros((hW - hw + 1, len(offsets)))
    for k, d in enumerate(offsets):
        fX[:, d:d + hw, k] = 0.9 * hF
        fq[d, k] = 1.0
    return fX, fq


def synthetic_case():
    """A small synthetic data set on which EM really moves: a 4x3 face at known offsets in
    12 noisy 4x9 images, and a fixed initial guess.

    Returns
    -------
    eH, eW, ew, eK : int
        Image height and width, face width, number of images.
    eX : array, shape (eH, eW, eK)
    eF0 : array, shape (eH, ew)
        Initial face.
    eB0 : array, shape (eH, eW)
        Initial background.
    es0 : float
        Initial noise.
    ea0 : array, shape (eW - ew + 1,)
        Initial prior.
    """
    eH, eW, ew, eK = 4, 9, 3, 12
    eF = np.array([[200.0, 40, 200], [60, 220, 60], [230, 30, 230], [90, 180, 90]])
    eB = np.tile(np.linspace(20.0, 120.0, eW), (eH, 1))
    eX = np.repeat(eB[:, :, None], eK, axis=2)
    for k, d in enumerate([0, 2, 5, 6, 1, 3, 6, 0, 4, 2, 5, 6]):
        eX[:, d:d + ew, k] = eF
    eX = np.clip(eX + np.random.default_rng(2018).normal(0.0, 40.0, eX.shape), 0, 255)
    eF0 = np.full((eH, ew), 128.0)
    eB0 = np.full((eH, eW), 100.0)
    es0, ea0 = 80.0, np.linspace(1.0, 2.0, eW - ew + 1) / np.linspace(1.0, 2.0, eW - ew + 1).sum()
    return eH, eW, ew, eK, eX, eF0, eB0, es0, ea0


def rough_starts():
    """Three starts for ``synthetic_case()`` far from where EM ends, from a fixed random
    generator: a list of (F0, B0, s0, a0), shapes (4, 3), (4, 9), (), (7,)."""
    rng = np.random.default_rng(73)
    starts = []
    for _ in range(3):
        F0 = rng.integers(0, 256, (4, 3)).astype(float)
        B0 = rng.integers(0, 256, (4, 9)).astype(float)
        a0 = rng.uniform(0.5, 1.5, 7)
        starts.append((F0, B0, float(rng.uniform(30.0, 120.0)), a0 / a0.sum()))
    return starts


def other_values(tX, tF, tB, ta, tq):
    """The visible tests' inputs with other values: vX, vF, vB, va, vq."""
    return tX * 1.5 + 0.25, tF + 0.5, tB * 0.75, ta[::-1], tq[::-1]


# --- Figures -----------------------------------------------------------------------------

def show_figure(alt, figure=None):
    """Show a matplotlib figure (the current one if not given) with ``alt``, its alternative
    text: what it shows, in words, for a screen reader and for the notebook's HTML pages
    (the feedback, the solutions), which write it as the image's alt text.
    """
    from IPython.display import display
    from matplotlib import pyplot as plt

    figure = figure or plt.gcf()
    display(figure, metadata=alt_text(alt))
    plt.close(figure)


@contextlib.contextmanager
def figure(alt, **options):
    """A new matplotlib figure (``plt.figure(**options)``), shown with the alternative text
    ``alt`` when the block ends. If the block fails (say, ``B`` is still ``None``), the figure
    is closed unshown: a half-drawn figure says nothing.
    """
    from matplotlib import pyplot as plt

    new = plt.figure(**options)
    try:
        yield new
    except BaseException:
        plt.close(new)
        raise
    show_figure(alt, new)


def alt_text(alt):
    """``display()``'s ``metadata`` that gives a figure's image the alternative text ``alt``."""
    return {"image/png": {"alt": alt}}


# --- Timing, for the optional part ------------------------------------------------------

def time_stages(run_EM, X, w, images, iterations, hard_EM=False, seed=2018):
    """Run ``run_EM`` along a schedule from a random start and time it.

    Each stage ``i`` runs ``iterations[i]`` iterations on the first ``images[i]`` photos,
    starting from the parameters the stage before returned (as the notebook's EM cell does).

    Returns
    -------
    list of (int, float, array)
        For each stage: the photos it used, the seconds since the start, and the face F.
    """
    import time

    np.random.seed(seed)  # the random start inside run_EM
    F = B = s = a = None
    stages, start = [], time.perf_counter()
    for n, it in zip(images, iterations):
        F, B, s, a, _ = run_EM(X[:, :, :n], w, F, B, s, a, max_iter=it, hard_EM=hard_EM)
        stages.append((n, time.perf_counter() - start, np.array(F)))
    return stages


def source_of(function):
    """The source of ``function``: a Python function's own, or the text the grader read from
    the notebook (an object with ``source``, or ``missing`` saying why there is none)."""
    missing = getattr(function, "missing", "")
    if missing:
        raise AssertionError(missing)
    source = getattr(function, "source", None)
    return source if isinstance(source, str) else inspect.getsource(function)


def count_loops(function):
    """(loops, deepest nesting) in the source of ``function``: for, while, comprehensions."""
    tree = ast.parse(textwrap.dedent(source_of(function)))

    def walk(node, depth):
        loops, deepest = 0, depth
        for child in ast.iter_child_nodes(node):
            is_loop = isinstance(child, (ast.For, ast.AsyncFor, ast.While, ast.comprehension))
            inner, inner_deepest = walk(child, depth + is_loop)
            loops += inner + is_loop
            deepest = max(deepest, inner_deepest)
        return loops, deepest

    return walk(tree, 0)


def check_loops(function, most, nested=False):
    """Fail unless ``function`` has at most ``most`` loops (and none inside another)."""
    loops, depth = count_loops(function)
    name = function.__name__
    if loops > most:
        raise AssertionError(f"{name} has {loops} loop(s) (for, while or comprehension); "
                             f"the task allows at most {most}")
    if not nested and depth > 1:
        raise AssertionError(f"{name} has a loop inside another loop; the task allows none")


def warnings_to_stdout():
    """Under Validate, print warnings on stdout instead of stderr.

    nbgrader counts any stderr output of a test cell as a failure. Autograde drops warnings
    first (IgnorePattern in nbgrader_config.py), but Validate does not, so a correct solution
    whose numpy warns (log(0) where q is 0) would fail Validate. Under Validate
    (NBGRADER_EXECUTION is "validate") warnings are still printed, on stdout; under autograde
    and in Jupyter nothing changes.
    """
    if os.environ.get("NBGRADER_EXECUTION") != "validate":
        return False

    def show(message, category, filename, lineno, file=None, line=None):
        sys.stdout.write(warnings.formatwarning(message, category, filename, lineno, line))

    warnings.showwarning = show
    return True


warnings_to_stdout()
