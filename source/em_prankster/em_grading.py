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
