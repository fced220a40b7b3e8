"""The hidden tests' expected values, computed from the plain formulas and written into source/.

    make expected                          # rewrite them in the source notebook
    python tests/expected_values.py --check  # exit 1, naming the cells, if one differs

In the hidden region of every test cell, two kinds of literal are generated, and nothing else:

* the expected value of each ``check_close(actual, expected, ...)`` call whose ``expected`` is
  written as a literal (a number or ``np.array([...])``): the value the plain formulas give
  for ``actual``;
* a literal assigned on the line after a comment ``# generated from the plain formulas: EXPR``
  (an input the tests need, such as the exact posterior): the value of ``EXPR``, where
  ``plain`` is tests/plain_formulas.py.

Both come from running the cell with the notebook's five functions replaced by the plain
formulas (``plain_formulas.NOTEBOOK_FUNCTIONS``), after the notebook's ``imports`` and
``test_fixtures`` cells; the hidden tests' inputs come from ``em_grading.py``. Changing an
input or a formula is therefore one edit and one ``make expected`` (then ``make release
solutions submissions``, as for any change of source/). tests/test_expected_values.py checks
that the committed values are what this script writes.
"""
import argparse
import ast
import contextlib
import io
import re
import sys
import pathlib

import numpy as np

import plain_formulas
from coursetools import notebook_cells
from support import ASSIGNMENT, EM, FUNCTIONS, NOTEBOOK
SOURCE_NB = pathlib.Path(__file__).resolve().parents[1] / "source" / ASSIGNMENT / NOTEBOOK
BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
MARKER = re.compile(r"^\s*# generated from the plain formulas: (?P<expr>.+?)\s*$")
WIDTH = 100  # longest line of a generated literal
NEW_LINE_AFTER = 40  # an array literal that would start further right starts a new line


def hidden_lines(source):
    """Line numbers (1-based) inside the cell's hidden regions."""
    inside, lines = False, set()
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() == BEGIN:
            inside = True
        elif line.strip() == END:
            inside = False
        elif inside:
            lines.add(number)
    return lines


def is_literal(node):
    """A number, or np.array(<nested list of numbers>)."""
    if isinstance(node, ast.Call):
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "array"
                and isinstance(func.value, ast.Name) and func.value.id == "np"
                and len(node.args) == 1 and not node.keywords):
            return False
        node = node.args[0]
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return False
    return isinstance(value, (int, float, list, tuple)) and not isinstance(value, bool)


def is_check_close(node):
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name == "check_close" and len(node.args) >= 2


def generated_sites(source):
    """[(node to replace, how to compute it)] in the cell's hidden regions, in source order.

    ``how`` is ``("actual", call node)`` for a check_close expected value, and
    ``("expr", expression source)`` for a marked input.
    """
    tree, hidden, lines = ast.parse(source), hidden_lines(source), source.splitlines()
    sites = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and is_check_close(node) and node.lineno in hidden:
            if is_literal(node.args[1]):
                sites.append((node.args[1], ("actual", node)))
        elif (isinstance(node, ast.Assign) and node.lineno in hidden and node.lineno >= 2
              and MARKER.match(lines[node.lineno - 2])):
            if not is_literal(node.value):
                raise ValueError(f"line {node.lineno}: a marked input must be a literal")
            sites.append((node.value, ("expr", MARKER.match(lines[node.lineno - 2])["expr"])))
    return sorted(sites, key=lambda site: (site[0].lineno, site[0].col_offset))


def compute(source, namespace):
    """The value of every generated site, by running the cell with the plain formulas."""
    sites = generated_sites(source)
    tree = ast.parse(source)
    positions = {(node.lineno, node.col_offset): k for k, (node, _) in enumerate(sites)}
    values = {}

    def record(k, value):
        values[k] = np.array(value, dtype=float)
        return value

    class Instrument(ast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            if getattr(node.func, "attr", None) == "check_loops":
                return ast.Constant(None)  # the plain formulas loop: loop limits are no values
            if is_check_close(node):
                k = positions.get((node.args[1].lineno, node.args[1].col_offset))
                if k is not None:  # record the plain formulas' value instead of checking it
                    return ast.Call(ast.Name("__record__", ast.Load()),
                                    [ast.Constant(k), node.args[0]], [])
            return node

        def visit_Assign(self, node):
            self.generic_visit(node)
            k = positions.get((node.value.lineno, node.value.col_offset))
            if k is not None and sites[k][1][0] == "expr":
                expr = ast.parse(sites[k][1][1], mode="eval").body
                node.value = ast.Call(ast.Name("__record__", ast.Load()), [ast.Constant(k), expr], [])
            return node

    code = compile(ast.fix_missing_locations(Instrument().visit(tree)), "<test cell>", "exec")
    with contextlib.redirect_stdout(io.StringIO()):  # the cells' "OK"
        exec(code, {**namespace, "__record__": record, "plain": plain_formulas})
    missing = set(range(len(sites))) - set(values)
    if missing:
        raise RuntimeError(f"{len(missing)} generated value(s) were never reached")
    return [(node, values[k]) for k, (node, _) in enumerate(sites)]


def number(x):
    return repr(float(x))


def literal(value, indent):
    """``value`` as Python source: a number, or np.array([...]) with rows on their own lines."""
    if value.ndim == 0:
        return number(value)

    def rows(array, depth):
        if array.ndim == 1:
            items, lines, line = [number(x) for x in array], [], ""
            for item in items:
                if line and len(line) + len(item) + 2 > WIDTH - indent - depth - 10:
                    lines.append(line + ",")
                    line = ""
                line = f"{line}, {item}" if line else item
            lines.append(line)
            return "[" + ("\n" + " " * (indent + 10 + depth)).join(lines) + "]"
        inner = [rows(a, depth + 1) for a in array]
        return "[" + (",\n" + " " * (indent + 10 + depth)).join(inner) + "]"

    return f"np.array({rows(value, 0)})"


def regenerate(source, namespace):
    """The cell's source with every generated literal recomputed."""
    encoded = source.encode()
    starts = [0]
    for line in encoded.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    edits = []
    for node, value in compute(source, namespace):
        begin = starts[node.lineno - 1] + node.col_offset
        end = starts[node.end_lineno - 1] + node.end_col_offset
        text = literal(value, node.col_offset)
        if node.col_offset > NEW_LINE_AFTER and value.ndim > 0:
            # far to the right: on a line of its own, under the call's first argument
            indent = len(source.splitlines()[node.lineno - 1]) - len(
                source.splitlines()[node.lineno - 1].lstrip()) + len("check_close(")
            while encoded[begin - 1:begin] == b" ":
                begin -= 1
            text = "\n" + " " * indent + literal(value, indent)
        edits.append((begin, end, text.encode()))
    for begin, end, text in sorted(edits, reverse=True):
        encoded = encoded[:begin] + text + encoded[end:]
    return encoded.decode()


def notebook_namespace(nb):
    """The notebook's imports and visible test inputs, with the plain formulas as its functions."""
    namespace = notebook_cells.run_cells(nb, ["imports", "test_fixtures"], folder=EM.folder)
    namespace.update(plain_formulas.NOTEBOOK_FUNCTIONS)
    return namespace


def changed_cells(nb):
    """{grade_id: regenerated source} for every test cell of the five functions whose
    committed values differ."""
    changed = {}
    for grade_id, _ in notebook_cells.grade_cells(nb):
        source = notebook_cells.cells_by_id(nb)[grade_id].source
        if BEGIN not in source or not grade_id.startswith(FUNCTIONS):
            continue  # the answers' hidden tests come from prankster/secret.py (make secret)
        new = regenerate(source, notebook_namespace(nb))
        if new != source:
            changed[grade_id] = new
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a committed value differs")
    args = parser.parse_args(argv)
    nb = notebook_cells.read(SOURCE_NB)
    changed = changed_cells(nb)
    if args.check:
        for grade_id in changed:
            print(f"{grade_id}: its expected values differ from the plain formulas'")
        return 1 if changed else 0
    cells = notebook_cells.cells_by_id(nb)
    for grade_id, source in changed.items():
        cells[grade_id].source = source
        print(f"rewrote the expected values of {grade_id}")
    notebook_cells.write(nb, SOURCE_NB)
    return 0


if __name__ == "__main__":
    sys.exit(main())
