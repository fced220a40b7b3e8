"""Checks used by the test cells of em_prankster.ipynb.

You do not need to read or change this file: grading uses its own copy of it.

The notebook imports it in its first cell, before any of your code runs, and it keeps a
copy of numpy's, numpy.testing's, math's and Python's built-in functions as they were
then. Every check first puts those back, so a test cell always compares with the real
``np.allclose`` and friends, whatever code ran before it.
"""
import ast
import builtins
import inspect
import math
import os
import sys
import textwrap
import warnings

import numpy as np
import numpy.testing

_MODULES = (builtins, np, np.testing, np.linalg, math, inspect, ast)
_ORIGINAL = {module.__name__: (module, dict(vars(module))) for module in _MODULES}


def restore():
    """Undo any reassignment of a function in numpy, numpy.testing, math or builtins."""
    for module, original in _ORIGINAL.values():
        current = vars(module)
        for name, value in original.items():
            if current.get(name, None) is not value:
                setattr(module, name, value)


def as_array(value, call):
    """``value`` as a plain float ndarray (no subclass), or a clear AssertionError."""
    restore()
    try:
        return np.array(value, dtype=float, subok=False)
    except (TypeError, ValueError):
        raise AssertionError(f"{call} returned {value!r}, which is not an array of numbers")


def check_close(actual, expected, call, rtol=1e-5, atol=1e-8):
    """Fail with a message that shows the call, what was expected and what came back."""
    restore()
    expected = np.array(expected, dtype=float)
    got = as_array(actual, call)
    if got.shape != expected.shape:
        raise AssertionError(f"{call} returned shape {got.shape}, expected shape {expected.shape}")
    if not np.isfinite(got).all():
        raise AssertionError(f"{call} returned nan or inf values:\n{got}")
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        raise AssertionError(f"{call} is wrong.\nexpected:\n{expected}\ngot:\n{got}")


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
    restore()
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
    restore()
    q = np.zeros((5, 4))
    q[[0, 2, 2, 0], [0, 1, 2, 3]] = 1.0
    return q


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
    restore()
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


def other_values(tX, tF, tB, ta, tq):
    """The visible tests' inputs with other values: vX, vF, vB, va, vq."""
    restore()
    return tX * 1.5 + 0.25, tF + 0.5, tB * 0.75, ta[::-1], tq[::-1]


def count_loops(function):
    """(loops, deepest nesting) in the source of ``function``: for, while, comprehensions."""
    restore()
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))

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
