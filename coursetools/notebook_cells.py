"""Reading the assignment notebook by its nbgrader cells, and writing submissions.

Tests and the demo use these helpers to find a cell by its ``grade_id``, to take the
reference solution out of ``source/``, and to make a student's submission from the
release notebook by filling in (or breaking) its solution cells.
"""
import copy
import re
import sys

import nbformat

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"


def read(path):
    """Read a notebook as nbformat v4."""
    return nbformat.read(str(path), as_version=4)


def write(nb, path):
    """Write a notebook as nbformat v4, without the cell ids nbgrader does not need."""
    nbformat.write(nb, str(path))


def nbgrader_meta(cell):
    """The cell's nbgrader metadata, or an empty dict."""
    return cell.get("metadata", {}).get("nbgrader", {})


def cells_by_id(nb):
    """Map each grade_id to its cell."""
    return {nbgrader_meta(c)["grade_id"]: c for c in nb.cells if nbgrader_meta(c).get("grade_id")}


def grade_cells(nb):
    """The autograded test cells: (grade_id, points) in notebook order."""
    return [(nbgrader_meta(c)["grade_id"], float(nbgrader_meta(c).get("points", 0)))
            for c in nb.cells if nbgrader_meta(c).get("grade")]


def solution_ids(nb):
    """grade_ids of the cells a student writes into."""
    return [nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c).get("solution")]


def without_markers(source):
    """A solution cell's code as a student would write it: the solution markers removed."""
    lines = [line for line in source.splitlines()
             if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION)]
    return "\n".join(lines)


def split_solution(source):
    """(code inside the solution regions, code outside them) of one cell."""
    inside, outside, solving = [], [], False
    for line in source.splitlines():
        if line.strip() in (BEGIN_SOLUTION, END_SOLUTION):
            solving = line.strip() == BEGIN_SOLUTION
        else:
            (inside if solving else outside).append(line)
    return "\n".join(inside), "\n".join(outside)


def strip_hidden_tests(source):
    """A test cell as the student sees it."""
    return re.sub(r"\n?[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*", "", source,
                  flags=re.S)


def reference_code(source_nb):
    """grade_id -> the reference solution of each solution cell, without markers."""
    cells = cells_by_id(source_nb)
    return {gid: without_markers(cells[gid].source) for gid in solution_ids(source_nb)}


def make_submission(release_nb, answers):
    """A copy of the release notebook with the given solution cells replaced.

    ``answers`` maps a solution cell's grade_id to the code the student wrote there;
    cells not named keep the release's stub.
    """
    nb = copy.deepcopy(release_nb)
    cells = cells_by_id(nb)
    for gid, code in answers.items():
        if gid not in cells or not nbgrader_meta(cells[gid]).get("solution"):
            raise KeyError(f"{gid!r} is not a solution cell of the release notebook")
        cells[gid].source = code
    return nb


def run_cells(nb, grade_ids, namespace=None, folder=None):
    """Execute the named cells (solution markers and IPython magics removed) in a namespace.

    With the source notebook this gives the reference solution as plain Python functions.
    ``folder`` is the notebook's own (``source/<assignment>/``): the modules the cells import
    from there (the assignment's helper) are found there, as in Jupyter, and taken out of
    ``sys.modules`` afterwards, so that another assignment's helper of the same name is
    never mistaken for this one's (the namespace keeps them).
    """
    cells = cells_by_id(nb)
    namespace = {} if namespace is None else namespace
    before = set(sys.modules)
    if folder is not None:
        sys.path.insert(0, str(folder))
    try:
        for gid in grade_ids:
            code = "\n".join(line for line in without_markers(cells[gid].source).splitlines()
                             if not line.lstrip().startswith("%"))
            exec(compile(code, f"<cell {gid}>", "exec"), namespace)
    finally:
        if folder is not None:
            sys.path.remove(str(folder))
            for name in set(sys.modules) - before:
                if str(getattr(sys.modules[name], "__file__", "") or "").startswith(str(folder)):
                    del sys.modules[name]
    return namespace
