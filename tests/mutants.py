"""Mutation testing of the hidden tests: mutants of the reference, graded by the course's checks.

    make mutants                                  # every mutant, and 8 per cell through the grading run
    python tests/mutants.py --list                # the mutants, not graded
    python tests/mutants.py --only 'run_EM#012'   # some mutants (ids or substrings of their keys)
    python tests/mutants.py --grading-run 2       # all, and 2 per cell through python -m grading.run

The report goes to build/mutants.md and build/mutants.json (``--out``). A mutant is the
reference solution with one small change in one of the five solution cells
(``calculate_log_probability`` ... ``run_EM``, helpers included): an operator, a constant, an
axis, an off-by-one in a range or slice, a dropped term, swapped arguments or statements, a
comparison's ``<`` for ``<=``, a removed statement (``OPERATORS`` lists them all). Each mutant is
graded in-process (``grading/verdicts/inprocess.py``: the same split, hand-out and checks as
grading, without a kernel) on every test cell of the notebook, in worker processes with a time
limit per cell and per mutant (``Pool``). Its outcome (``Outcome``):

- **killed**: a test cell of the function it changed loses points (a cell whose grade_id
  starts with that function's name; the hard-EM bonus cells count, apart). The function it
  changed is its cell's, unless only other functions' calls run the changed code
  (``charged_to``);
- **equivalent**: it passes every test cell, and ``EQUIVALENT`` (tests/mutants_explained.py)
  says why it computes what the reference computes for every input the task passes, or why it
  is correct by the task (a free choice); the run shows where its hand-outs differ from the
  reference's;
- **survived**: anything else that passes: a hole in the hidden tests.

For every killed mutant the report counts the failing test cells of its function, and among
them the hidden "behaviour" cells (``*_hidden_*``), since one bug should cost one behaviour;
the mutants that fail more than one are grouped by why (``several_groups``).
"""
import argparse
import ast
import copy
import dataclasses
import json
import multiprocessing
import os
import pathlib
import re
import resource
import signal
import sys
import time
import warnings
from collections import Counter, defaultdict

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from grading.run import gradebook as gradebooks
from coursetools import notebook_cells  # noqa: E402
from support import ANSWERS, ASSIGNMENT, EM, FUNCTIONS, NOTEBOOK
from grading.verdicts import Verdict, handin, inprocess  # noqa: E402
from grading.verdicts.testcell import is_test_cell  # noqa: E402
from mutants_explained import CHARGED, EQUIVALENT, SEVERAL  # noqa: E402

SOURCE_NB = ROOT / "source" / ASSIGNMENT / NOTEBOOK
CHECKS_MODULE = ROOT / "source" / ASSIGNMENT / "em_grading.py"
CELL_SECONDS = 10        # a test cell's limit in-process (the reference needs milliseconds)
MUTANT_SECONDS = 120     # a mutant's limit, all cells together: past it its worker is killed
MEMORY_MIB = 4096        # address space of a worker, as a graded kernel's
SAME = 1e-9              # hand-outs this close (relative) count as the same values

# --- making mutants -----------------------------------------------------------------------

#: Every kind of change, with what it does.
OPERATORS = {
    "arithmetic": "one arithmetic operator for another (+ -, * /, ** *, @ *, // /)",
    "operands": "the operands of a non-commutative operator swapped (a - b -> b - a)",
    "dropped term": "a - b -> a, a + b -> b, a / b -> a, ...: one operand of an operator left out",
    "negation": "a unary minus or `not` left out",
    "comparison": "< <=, > >=, == !=, `is` `is not`, and < >",
    "boolean": "`and` for `or` and back, or one of their operands left out",
    "constant": "a number n as n + 1, n - 1 or 0; True and False swapped",
    "keyword": "a keyword argument left out (axis=, keepdims=, where=, out=, dtype=, ...)",
    "arguments": "two neighbouring positional arguments of a call swapped",
    "function": "sum mean, max min, argmax argmin, log log10 swapped",
    "unwrapped": "a call replaced by its first argument (np.sqrt(x) -> x, x.sum(...) -> x)",
    "range": "range(n) as range(n + 1) or range(n - 1)",
    "slice": "a slice bound or index that is a name or expression, +1 or -1",
    "condition": "an `if`'s test as True, False or its negation",
    "break": "break as continue",
    "statement": "a statement removed",
    "order": "two neighbouring statements swapped",
}

ARITHMETIC = {ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.Div], ast.Div: [ast.Mult],
              ast.Pow: [ast.Mult], ast.MatMult: [ast.Mult], ast.FloorDiv: [ast.Div],
              ast.Mod: [ast.FloorDiv], ast.BitAnd: [ast.BitOr], ast.BitOr: [ast.BitAnd]}
NON_COMMUTATIVE = (ast.Sub, ast.Div, ast.Pow, ast.MatMult, ast.FloorDiv, ast.Mod)
COMPARISON = {ast.Lt: [ast.LtE, ast.Gt], ast.LtE: [ast.Lt, ast.GtE], ast.Gt: [ast.GtE, ast.Lt],
              ast.GtE: [ast.Gt, ast.LtE], ast.Eq: [ast.NotEq], ast.NotEq: [ast.Eq],
              ast.Is: [ast.IsNot], ast.IsNot: [ast.Is], ast.In: [ast.NotIn], ast.NotIn: [ast.In]}
RENAMED = {"sum": "mean", "mean": "sum", "max": "min", "min": "max", "argmax": "argmin",
           "argmin": "argmax", "log": "log10"}
UNWRAPPED = {"sqrt", "log", "exp", "abs", "float", "asarray", "array", "max", "min", "sum",
             "mean", "copy"}
REMOVABLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.If, ast.For, ast.While,
             ast.With, ast.Break, ast.Continue)


@dataclasses.dataclass
class Mutant:
    """One change to one solution cell.

    Attributes
    ----------
    id : str
        ``<cell>#<number>``, numbered in the cell's order (changes when the reference does).
    cell : str
        The solution cell (a function's grade_id) it changes.
    function : str
        The ``def`` the change is in (a helper's name, or the cell's function).
    operator : str
        A key of ``OPERATORS``.
    line : int
        The line of the cell's code (markers removed) where the change is.
    before, after : str
        The changed code, before and after (one expression or statement, shortened).
    code : str
        The mutant cell's whole code.
    key : str
        What names the mutant in ``EQUIVALENT``: the cell, the changed line's text, the
        operator and the change (stable while that line stays as it is).
    span : tuple
        (line, column, end line, end column) of the changed code in the cell.
    """

    id: str
    cell: str
    function: str
    operator: str
    line: int
    before: str
    after: str
    code: str
    key: str = ""
    span: tuple = ()


def _short(node, limit=90):
    text = ast.unparse(node) if node is not None else "(removed)"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _plus(node, amount):
    return ast.BinOp(copy.deepcopy(node), ast.Add() if amount > 0 else ast.Sub(), ast.Constant(abs(amount)))


def _number(value):
    return ast.Constant(value) if value >= 0 else ast.UnaryOp(ast.USub(), ast.Constant(-value))


class _Sites(ast.NodeTransformer):
    """Walks a cell's tree in a fixed order; lists every change it can make (``target`` None),
    or makes the ``target``-th one and returns the changed tree."""

    def __init__(self, target=None):
        self.target = target
        self.found = []           # (operator, before node, after node or None, function, line)
        self.function = None
        self.protected = set()    # ids of nodes never changed: docstrings, signatures

    # each node's possible replacements: [(operator, new node or None for "removed")]
    def replacements(self, node):
        out = []
        if isinstance(node, ast.BinOp):
            for op in ARITHMETIC.get(type(node.op), []):
                out.append(("arithmetic", ast.BinOp(node.left, op(), node.right)))
            if isinstance(node.op, NON_COMMUTATIVE):
                out.append(("operands", ast.BinOp(node.right, node.op, node.left)))
            out.append(("dropped term", node.left))
            if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
                out.append(("dropped term", node.right))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
            if not (isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)):
                out.append(("negation", node.operand))
            else:  # -1: a constant, changed as a number (not its digits again)
                self.protected.add(id(node.operand))
                value = -node.operand.value
                for new in dict.fromkeys([value + 1, value - 1, 0]):
                    if new != value:
                        out.append(("constant", _number(new)))
        elif isinstance(node, ast.Compare) and len(node.ops) == 1:
            for op in COMPARISON.get(type(node.ops[0]), []):
                out.append(("comparison", ast.Compare(node.left, [op()], node.comparators)))
        elif isinstance(node, ast.BoolOp):
            other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            out.append(("boolean", ast.BoolOp(other, node.values)))
            for value in node.values:
                out.append(("boolean", value))
        elif isinstance(node, ast.Constant) and id(node) not in self.protected:
            value = node.value
            if isinstance(value, bool):
                out.append(("constant", ast.Constant(not value)))
            elif isinstance(value, (int, float)):
                for new in dict.fromkeys([value + 1, value - 1, type(value)(0)]):
                    if new != value:
                        out.append(("constant", _number(new)))
        elif isinstance(node, ast.Call):
            out.extend(self.call_replacements(node))
        elif isinstance(node, ast.Slice):
            for field in ("lower", "upper"):
                bound = getattr(node, field)
                if bound is not None and not isinstance(bound, (ast.Constant, ast.UnaryOp)):
                    for amount in (1, -1):
                        out.append(("slice", ast.Slice(**{**{f: getattr(node, f) for f in ("lower", "upper", "step")},
                                                          field: _plus(bound, amount)})))
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, (ast.Name, ast.BinOp)):
            for amount in (1, -1):
                out.append(("slice", ast.Subscript(node.value, _plus(node.slice, amount), node.ctx)))
        elif isinstance(node, ast.Break):
            out.append(("break", ast.Continue()))
        if isinstance(node, ast.If):
            for new in (ast.Constant(True), ast.Constant(False), ast.UnaryOp(ast.Not(), node.test)):
                out.append(("condition", ast.If(new, node.body, node.orelse)))
        return out

    def call_replacements(self, node):
        out = []
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in RENAMED:
            new_func = (ast.Attribute(func.value, RENAMED[name], func.ctx) if isinstance(func, ast.Attribute)
                        else ast.Name(RENAMED[name], func.ctx))
            out.append(("function", ast.Call(new_func, node.args, node.keywords)))
        if name in UNWRAPPED:
            if isinstance(func, ast.Attribute) and not (isinstance(func.value, ast.Name) and func.value.id == "np"):
                out.append(("unwrapped", func.value))           # x.sum(axis=0) -> x
            elif node.args:
                out.append(("unwrapped", node.args[0]))         # np.sqrt(x) -> x
        if name == "range" and len(node.args) == 1:
            for amount in (1, -1):
                out.append(("range", ast.Call(func, [_plus(node.args[0], amount)], [])))
        for k, keyword in enumerate(node.keywords):
            if keyword.arg is not None:
                out.append(("keyword", ast.Call(func, node.args, node.keywords[:k] + node.keywords[k + 1:])))
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        if len(positional) == len(node.args):
            for k in range(len(node.args) - 1):
                if ast.dump(node.args[k]) != ast.dump(node.args[k + 1]):
                    args = list(node.args)
                    args[k], args[k + 1] = args[k + 1], args[k]
                    out.append(("arguments", ast.Call(func, args, node.keywords)))
        return out

    def body_replacements(self, node, field):
        """Removals and swaps of the statements in one body (a list of statements)."""
        body = getattr(node, field)
        start = 1 if (field == "body" and isinstance(node, ast.FunctionDef) and body
                      and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)) else 0
        out = []
        for k in range(start, len(body)):
            if isinstance(body[k], REMOVABLE):
                new = body[:k] + body[k + 1:] or [ast.Pass()]
                out.append(("statement", body[k], new))
        for k in range(start, len(body) - 1):
            if not isinstance(body[k], (ast.FunctionDef, ast.Return)) and not isinstance(body[k + 1], ast.FunctionDef):
                new = body[:k] + [body[k + 1], body[k]] + body[k + 2:]
                out.append(("order", body[k], new))
        return out

    def visit(self, node):
        if self.target is not None and len(self.found) > self.target:
            return node   # the change is made: the rest stays as it is
        if isinstance(node, ast.FunctionDef):
            self.protected.update(id(n) for n in ast.walk(node.args))
            if node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
                self.protected.add(id(node.body[0].value))
            outer, self.function = self.function, node.name
            try:
                return self._visit(node)
            finally:
                self.function = outer
        return self._visit(node)

    def _visit(self, node):
        # the node's own replacements first, then its bodies', then its children's
        if self.function is not None and not isinstance(node, ast.arguments) and id(node) not in self.protected:
            for operator, new in self.replacements(node):
                if self._take(operator, node, new):
                    return ast.copy_location(new, node) if isinstance(new, ast.AST) else new
        if self.function is not None:
            for field in ("body", "orelse"):
                if isinstance(getattr(node, field, None), list) and getattr(node, field) and \
                        isinstance(getattr(node, field)[0], ast.stmt):
                    for operator, statement, new_body in self.body_replacements(node, field):
                        after = None if operator == "statement" else new_body[new_body.index(statement) - 1]
                        if self._take(operator, statement, after, line=statement.lineno):
                            setattr(node, field, new_body)
                            return node
        return self.generic_visit(node)

    def _take(self, operator, node, new, line=None):
        """Record a change; True if it is the target (and the walk should make it)."""
        if self.target is not None:   # making one change: count the others, describe none
            self.found.append(None)
            return len(self.found) - 1 == self.target
        span = tuple(getattr(node, f, None) for f in ("lineno", "col_offset", "end_lineno", "end_col_offset"))
        self.found.append((operator, _short(node), _short(new), self.function, line or span[0] or 0, span))
        return False


def mutants_of(cell, code):
    """Every mutant of one solution cell's code (``code``: the cell without its markers)."""
    tree = ast.parse(code)
    sites = _Sites()
    sites.visit(copy.deepcopy(tree))
    reference = ast.unparse(tree)
    seen, out = {reference}, []
    for k, (operator, before, after, function, line, span) in enumerate(sites.found):
        changed = _Sites(target=k).visit(ast.parse(code))   # a fresh tree (parsing is faster than a copy)
        changed = ast.fix_missing_locations(changed)
        try:
            text = ast.unparse(changed)
            compile(text, cell, "exec")
        except (SyntaxError, ValueError, TypeError):
            continue
        if text in seen:   # no change (swapped equal arguments, ...) or a duplicate
            continue
        seen.add(text)
        out.append(Mutant(f"{cell}#{len(out):03d}", cell, function, operator, line, before, after, text,
                          span=span))
    counts, lines = Counter(), code.splitlines()
    for mutant in out:
        line = re.sub(r"\s+#.*$", "", lines[mutant.line - 1]).strip()   # the line, not its comment
        base = (f"{mutant.cell}: {line} | {mutant.operator}: "
                f"{mutant.before} -> {mutant.after}")
        counts[base] += 1
        mutant.key = base if counts[base] == 1 else f"{base} ({counts[base]})"
    return out


def all_mutants(source_nb=None):
    """Every mutant of the reference's five solution cells (of ``source_nb``, else of the
    notebook at ``SOURCE_NB``), in notebook order."""
    code = notebook_cells.reference_code(source_nb or notebook_cells.read(SOURCE_NB))
    return [m for cell in FUNCTIONS for m in mutants_of(cell, code[cell])]


# --- grading a mutant in-process ----------------------------------------------------------

class CellTimeout(Exception):
    """A test cell ran past CELL_SECONDS in-process."""


class _Recorded:
    """``Checks`` that also keeps what each test cell handed in (for the equivalence check)."""

    def __init__(self, checks):
        self.checks, self.hand_ins = checks, {}

    @property
    def provided(self):
        return self.checks.provided

    def judge(self, test, texts, token, functions, grade_id="test cell", kernel_error=None):
        self.hand_ins[grade_id] = (list(texts), token)
        return self.checks.judge(test, texts, token, functions, grade_id, kernel_error)


INF = (float("inf"), float("inf"))


def difference(a, b):
    """(largest absolute, largest relative) difference between two handed-in values; both
    infinite where their form differs (shape, kind, nan against a number)."""
    if isinstance(a, np.ndarray) != isinstance(b, np.ndarray):
        try:  # a list or a number against an array: compared as numpy reads them
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        except (TypeError, ValueError):
            return INF
    if isinstance(a, np.ndarray):
        if a.shape != b.shape:
            return INF
        if a.dtype.kind == "b" or b.dtype.kind == "b":
            return (0.0, 0.0) if np.array_equal(a, b) else INF
        a, b = a.astype(float), b.astype(float)
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        if same.all():
            return (0.0, 0.0)
        a, b = a[~same], b[~same]
        if not (np.isfinite(a).all() and np.isfinite(b).all()):
            return INF
        gap = np.abs(a - b)
        return (float(gap.max()), float(np.max(gap / np.maximum(np.abs(b), 1e-300))))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if type(a) is not type(b) or len(a) != len(b):
            return INF
        parts = [difference(x, y) for x, y in zip(a, b)]
    elif isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return INF
        parts = [difference(a[k], b[k]) for k in a]
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and type(a) is type(b):
        return difference(np.array(a), np.array(b))
    else:
        return (0.0, 0.0) if type(a) is type(b) and a == b else INF
    return (max([p[0] for p in parts], default=0.0), max([p[1] for p in parts], default=0.0))


class Grader:
    """Grades the reference with some solution cells replaced, in-process, cell by cell.

    Each grading starts from a fresh namespace (the notebook's imports and test fixtures, then
    the five solution cells and the answers) with numpy's random generator seeded, so the
    reference and every mutant draw the same random starts; the reference's own hand-outs are
    kept to compare a mutant's with.

    Parameters
    ----------
    cell_seconds : float
        How long one test cell may run before an alarm stops it (a "timeout" verdict).
    """

    def __init__(self, cell_seconds=CELL_SECONDS):
        self.nb = notebook_cells.read(SOURCE_NB)
        self.reference = notebook_cells.reference_code(self.nb)
        self.checks = inprocess.checks_for(CHECKS_MODULE, FUNCTIONS + ANSWERS)
        self.cell_seconds = cell_seconds
        self.test_cells = [(c.metadata.nbgrader.grade_id, c.source, float(c.metadata.nbgrader.get("points", 0)))
                           for c in self.nb.cells if is_test_cell(c)]
        self.reference_values = None
        self.reference_values = self.grade({})["values"]

    def grade(self, replaced, only=None):
        """Grade the reference with the cells in ``replaced`` ({grade_id: code}) instead of its
        own, on every test cell (those in ``only``, if given), in notebook order.

        Returns
        -------
        dict
            {"verdicts": {grade_id: (passed, reason, message)}, "values": {grade_id: the
            decoded hand-in}, "differs": {grade_id: (largest absolute, largest relative)
            difference from the reference's hand-in}}.
        """
        code = {**self.reference, **replaced}
        recorded = _Recorded(self.checks)
        verdicts, values, differs = {}, {}, {}

        def alarm(signum, frame):
            raise CellTimeout(f"ran past {self.cell_seconds} s in-process")

        previous = signal.signal(signal.SIGALRM, alarm)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                namespace = notebook_cells.run_cells(self.nb, ["imports", "test_fixtures"], folder=EM.folder)
                for gid in FUNCTIONS + ANSWERS:
                    try:
                        exec(compile(code[gid], gid, "exec"), namespace)
                    except Exception:  # a cell that fails as it is defined: its names stay unbound
                        pass
                functions = inprocess.functions_in([code[g] for g in FUNCTIONS + ANSWERS], self.checks.functions)
                np.random.seed(2018)  # the same random starts for the reference and every mutant
                for gid, source, _ in self.test_cells:
                    if only is not None and gid not in only:
                        continue
                    signal.setitimer(signal.ITIMER_REAL, self.cell_seconds)
                    try:
                        verdict = inprocess.run_test_cell(source, namespace, recorded, functions, gid)
                    except CellTimeout as error:
                        verdict = Verdict.failed("timeout", str(error), "CellTimeout")
                    finally:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                    if verdict.ename == "CellTimeout":
                        verdict = Verdict.failed("timeout", verdict.message, "CellTimeout")
                    verdicts[gid] = (verdict.passed, verdict.reason, verdict.message[:500])
                    values[gid] = self._decoded(recorded.hand_ins.get(gid))
                    if self.reference_values is not None:
                        differs[gid] = self._differs(values[gid], self.reference_values.get(gid))
        finally:
            signal.signal(signal.SIGALRM, previous)
        return {"verdicts": verdicts, "values": values, "differs": differs}

    def reached(self):
        """{cell: {function: set of (line, column, end line, end column)}}: the source spans of
        the reference's bytecode that each function's calls in the test cells run. A call's
        function is the outermost of the five on the stack, so code in run_m_step's cell that
        only run_EM's loop reaches (hard-EM's sums kept from one iteration to the next) is
        run_EM's."""
        seen = defaultdict(lambda: defaultdict(set))
        cells = set(FUNCTIONS)
        positions = {}

        def outermost(frame):
            found = None
            while frame is not None:
                if frame.f_code.co_filename in cells and frame.f_code.co_name in cells:
                    found = frame.f_code.co_name
                frame = frame.f_back
            return found

        def trace(frame, event, arg):
            code = frame.f_code
            if code.co_filename not in cells:
                return None
            function = outermost(frame)
            if code not in positions:
                positions[code] = list(code.co_positions())
            frame.f_trace_opcodes = True

            def opcodes(frame, event, arg):
                if event == "opcode" and function:
                    where = positions[code][frame.f_lasti // 2]
                    if None not in where:
                        seen[code.co_filename][function].add(where)
                return opcodes
            return opcodes

        sys.settrace(trace)
        try:
            self.grade({})
        finally:
            sys.settrace(None)
        return {cell: dict(by_function) for cell, by_function in seen.items()}

    def _decoded(self, hand_in):
        if not hand_in or len(hand_in[0]) != 1:
            return None
        try:
            return handin.decode(hand_in[0][0], hand_in[1])
        except handin.BadHandIn:
            return None

    @staticmethod
    def _differs(mine, reference):
        if mine is None or reference is None:
            return (0.0, 0.0) if mine is None and reference is None else INF
        return difference(mine, reference)


# --- workers with time limits -------------------------------------------------------------

def _worker(connection):
    limit = MEMORY_MIB * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    grader = Grader()
    connection.send("ready")
    while True:
        job = connection.recv()
        if job is None:
            return
        cell, code = job
        try:
            result = grader.grade({cell: code})
            result.pop("values")
        except MemoryError:
            result = {"crash": "MemoryError"}
        except Exception as error:  # noqa: BLE001 (a mutant may break anything)
            result = {"crash": f"{type(error).__name__}: {error}"[:300]}
        connection.send(result)


class Pool:
    """Worker processes that grade mutants, one at a time each; a worker that runs past
    ``mutant_seconds`` on one mutant (a hang the per-cell alarm cannot break, in C code or with
    the alarm blocked) is killed, by its pid, and replaced."""

    def __init__(self, workers, mutant_seconds=MUTANT_SECONDS):
        self.mutant_seconds = mutant_seconds
        self.context = multiprocessing.get_context("fork")
        self.workers = [self._start() for _ in range(workers)]

    def _start(self):
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker, args=(child,), daemon=True)
        process.start()
        child.close()
        if not parent.poll(300) or parent.recv() != "ready":
            raise RuntimeError("a mutation worker did not start")
        return [process, parent, None, 0.0]   # process, connection, mutant, started

    def run(self, mutants, progress=None):
        """{mutant id: result}, grading ``mutants`` on the workers."""
        queue, results, done = list(mutants), {}, 0
        while queue or any(w[2] for w in self.workers):
            for worker in self.workers:
                process, connection, mutant, started = worker
                if mutant is None and queue:
                    worker[2], worker[3] = queue.pop(0), time.monotonic()
                    connection.send((worker[2].cell, worker[2].code))
                elif mutant is not None:
                    if connection.poll(0.01):
                        try:
                            results[mutant.id] = connection.recv()
                        except EOFError:
                            results[mutant.id] = {"crash": "the worker died"}
                            worker[:] = self._replace(worker)
                        worker[2] = None
                        done += 1
                        if progress:
                            progress(done, len(mutants))
                    elif not process.is_alive() or time.monotonic() - started > self.mutant_seconds:
                        results[mutant.id] = {"hang": f"no verdict within {self.mutant_seconds} s"
                                              if process.is_alive() else "the worker died"}
                        worker[:] = self._replace(worker)
                        done += 1
        return results

    def _replace(self, worker):
        process, connection = worker[0], worker[1]
        if process.is_alive():
            os.kill(process.pid, signal.SIGKILL)
        process.join()
        connection.close()
        return self._start()

    def close(self):
        for process, connection, _, _ in self.workers:
            connection.send(None)
            process.join(10)
            if process.is_alive():
                os.kill(process.pid, signal.SIGKILL)
                process.join()


# --- the same mutants through the real grading run ----------------------------------------

def sample(mutants, per_cell):
    """``per_cell`` mutants of each solution cell, evenly spaced through its list (so every
    kind of change and outcome has its chance), for the grading run."""
    chosen = []
    for cell in FUNCTIONS:
        mine = [m for m in mutants if m.cell == cell]
        step = max(1, len(mine) // per_cell)
        chosen += mine[step // 2::step][:per_cell]
    return chosen


def grading_run(mutants, workers=2, keep=None):
    """{mutant id: {grade_id: passed}} from ``python -m grading.run`` (nbgrader autograde,
    sandboxed) on a temporary copy of the course, one student per mutant: the mutant's cell
    with the reference's other cells and the right answers. A bonus cell passed when it
    earned its extra credit. ``keep``: a folder to leave the course in (else it is removed)."""
    import shutil
    import subprocess
    import tempfile
    from nbgrader.api import Gradebook
    import corpus

    top = pathlib.Path(keep) if keep else pathlib.Path(tempfile.mkdtemp(prefix="em-prankster-mutants-"))
    course, home = top / "course", top / "home"
    try:
        course.mkdir(parents=True)
        shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
        for folder in ("grading", "source"):
            shutil.copytree(ROOT / folder, course / folder,
                            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / "jupyter-config"),
               "JUPYTER_DATA_DIR": str(home / "jupyter-data"), "JUPYTER_RUNTIME_DIR": str(home / "jupyter-runtime"),
               "IPYTHONDIR": str(home / "ipython"), "MPLBACKEND": "Agg",
               "PATH": str(pathlib.Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
        env.pop("NBGRADER_EXECUTION", None)
        home.mkdir()

        def run(*args):
            proc = subprocess.run([sys.executable, "-m", *args], cwd=course, env=env, capture_output=True,
                                  text=True, timeout=3600)
            if proc.returncode:
                raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")

        run("nbgrader", "generate_assignment", ASSIGNMENT, "--force", "--log-level=WARN")
        release = notebook_cells.read(course / "release" / ASSIGNMENT / NOTEBOOK)
        reference = notebook_cells.reference_code(notebook_cells.read(SOURCE_NB))
        students = {}
        for mutant in mutants:
            student = "m_" + re.sub(r"[^A-Za-z0-9]+", "_", mutant.id)
            students[student] = mutant.id
            cells = {**{c: reference[c] for c in FUNCTIONS}, **corpus.right_answers(), mutant.cell: mutant.code}
            path = course / "submitted" / student / ASSIGNMENT / NOTEBOOK
            path.parent.mkdir(parents=True)
            notebook_cells.write(notebook_cells.make_submission(release, cells), path)
        run("grading.run.parallel", ASSIGNMENT, "--workers", str(workers))
        out = {}
        with Gradebook(gradebooks.url(course)) as gb:
            for student, mutant_id in students.items():
                grades = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student).grades
                out[mutant_id] = {g.name: ((g.score or 0) >= g.max_score if g.max_score
                                           else (g.extra_credit or 0) > 0) for g in grades}
        return out
    finally:
        if not keep:
            shutil.rmtree(top, ignore_errors=True)


def agreement(in_process, graded):
    """(cells compared, [(mutant id, grade_id, in-process passed, grading run passed)]) for the
    mutants both graded."""
    compared, differ = 0, []
    for mutant_id, cells in graded.items():
        verdicts = in_process[mutant_id].get("verdicts")
        for gid, passed in sorted(cells.items()):
            mine = verdicts[gid][0] if verdicts else False   # a crash or hang in-process: every cell lost
            compared += 1
            if mine != passed:
                differ.append((mutant_id, gid, mine, passed))
    return compared, differ


# --- outcomes -----------------------------------------------------------------------------

#: The statuses, in the report's order.
STATUSES = ("killed", "killed (bonus only)", "equivalent", "survived", "wrongly listed")


@dataclasses.dataclass
class Outcome:
    """What grading did to one mutant.

    ``status`` is one of ``STATUSES``: "killed" (a test cell of a function it is charged to
    loses points), "killed (bonus only)" (only such a hard-EM bonus cell fails), "equivalent"
    (in ``EQUIVALENT`` and every test cell passes), "survived" (anything else that passes), or
    "wrongly listed" (in ``EQUIVALENT`` but some test cell fails: a test rejects what should be
    a correct solution, or the listing is wrong).
    """

    mutant: Mutant
    status: str
    functions: list             # the function(s) it is charged to (``charged_to``)
    failed: list = dataclasses.field(default_factory=list)     # every failing test cell
    own: list = dataclasses.field(default_factory=list)        # those of ``functions``
    behaviour: list = dataclasses.field(default_factory=list)  # those that are *_hidden_* cells
    reasons: dict = dataclasses.field(default_factory=dict)    # grade_id -> why it failed
    differs: dict = dataclasses.field(default_factory=dict)    # grade_id -> (abs, rel) from the reference
    note: str = ""              # a crash or hang of the whole mutant; why it is equivalent

    @property
    def fails_visible(self):
        """Whether a visible cell of its function fails: wrong on the ordinary fixture."""
        return any(gid.endswith("_visible") for gid in self.own)


def charged_to(mutant, reached, charged=None):
    """The functions a mutant must lose points in: its cell's function, unless the test cells
    run the changed code only through other functions (``Grader.reached``), which are then the
    ones whose behaviour it changes (the incremental hard-EM sums in run_m_step's cell serve
    only run_EM's loop), or ``charged`` says otherwise. Code no test runs stays its cell's."""
    if charged and mutant.key in charged:
        return list(charged[mutant.key][0])
    line, column, end_line, end_column = mutant.span
    functions = {function for function, spans in reached.get(mutant.cell, {}).items()
                 if any((line, column) <= (l1, c1) and (l2, c2) <= (end_line, end_column)
                        for l1, l2, c1, c2 in spans)}
    return [mutant.cell] if not functions or mutant.cell in functions else sorted(functions)


def outcome(mutant, result, test_cells, reached, equivalent=None, charged=None):
    """Classify one mutant from its graded result (``Grader.grade``, or a crash or hang)."""
    equivalent = EQUIVALENT if equivalent is None else equivalent
    charged = CHARGED if charged is None else charged
    points = {gid: p for gid, _, p in test_cells}
    functions = charged_to(mutant, reached, charged)
    if "crash" in result or "hang" in result:
        # graded by a kernel, a crash or hang of the grading process itself costs every cell
        return Outcome(mutant, "killed", functions, ["(all)"], ["(all)"],
                       note=result.get("crash") or result.get("hang"))
    verdicts = result["verdicts"]
    failed = [gid for gid, (passed, _, _) in verdicts.items() if not passed]
    own = [gid for gid in failed if EM.section_of(gid) in functions]
    differs = {gid: d for gid, d in result["differs"].items() if d[1] > SAME}
    if mutant.key in equivalent:
        status = "wrongly listed" if failed else "equivalent"
    elif any(points[gid] > 0 for gid in own):
        status = "killed"
    elif own:
        status = "killed (bonus only)"
    else:
        status = "survived"
    return Outcome(mutant, status, functions, failed, own, [g for g in own if "_hidden_" in g],
                   {gid: verdicts[gid][1] for gid in failed}, differs,
                   equivalent.get(mutant.key, ""))


# --- the report ---------------------------------------------------------------------------

def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _counts(outcomes):
    c = Counter(o.status for o in outcomes)
    return (f"{len(outcomes)} | {c['killed'] + c['killed (bonus only)']} | {c['killed (bonus only)']} | "
            f"{c['equivalent']} | {c['survived']} | {c['wrongly listed']}")


def score(outcomes):
    """(killed, non-equivalent): the mutation score's numerator and denominator."""
    c = Counter(o.status for o in outcomes)
    return c["killed"] + c["killed (bonus only)"], len(outcomes) - c["equivalent"]


def raises(o):
    """Whether the mutant raises rather than computes: every failing hidden cell of its function
    (or, if none fails, every failing cell of it) failed with an error."""
    cells = o.behaviour or o.own
    return bool(cells) and all(o.reasons.get(gid) == "error" for gid in cells)


def distribution(outcomes):
    """{n: (mutants with n failing cells of their function, with n failing hidden cells, and
    with n failing hidden cells among those that do not raise)} over the mutants killed by
    their function's graded cells (a crash of the whole mutant left out)."""
    killed = [o for o in outcomes if o.status == "killed" and o.failed != ["(all)"]]
    own, hidden = Counter(len(o.own) for o in killed), Counter(len(o.behaviour) for o in killed)
    computing = Counter(len(o.behaviour) for o in killed if not raises(o))
    return {n: (own[n], hidden[n], computing[n]) for n in range(max([*own, *hidden, 0]) + 1)}


def several_groups(several, explained=None):
    """The killed mutants failing more than one behaviour cell, by why: {"raises": every such
    cell fails with an error; "visible": their function's visible cell fails too (wrong on the
    ordinary fixture); "explained": in ``SEVERAL``; "unexplained": the rest}."""
    explained = SEVERAL if explained is None else explained
    groups = {"raises": [], "visible": [], "explained": [], "unexplained": []}
    for o in several:
        if raises(o):
            groups["raises"].append(o)
        elif o.fails_visible:
            groups["visible"].append(o)
        else:
            groups["explained" if o.mutant.key in explained else "unexplained"].append(o)
    return groups


def report(outcomes, seconds, command, workers):
    """The Markdown report: totals, per cell and operator, the failing cells per killed mutant,
    the mutants failing several behaviour cells, the equivalent and the surviving ones."""
    killed, counted = score(outcomes)
    head = ("| mutants | killed | of them only by a hard-EM bonus cell | equivalent | survived | "
            "wrongly listed as equivalent |")
    rule = "| --- | --- | --- | --- | --- | --- |"
    lines = [f"Mutation run: `{command}`, {workers} worker(s), {seconds:.0f} s; score "
             f"{killed} / {counted} non-equivalent mutants killed "
             f"({100 * killed / max(counted, 1):.1f} %).", "", head, rule, f"| {_counts(outcomes)} |", "",
             "By cell:", "", "| cell " + head, "| --- " + rule]
    for cell in FUNCTIONS:
        lines.append(f"| `{cell}` | {_counts([o for o in outcomes if o.mutant.cell == cell])} |")
    lines += ["", "By operator:", "", "| operator " + head, "| --- " + rule]
    for operator in OPERATORS:
        mine = [o for o in outcomes if o.mutant.operator == operator]
        if mine:
            lines.append(f"| {operator} | {_counts(mine)} |")
    elsewhere = [o for o in outcomes if o.functions != [o.mutant.cell]]
    if elsewhere:
        lines += ["", f"Charged to another function ({len(elsewhere)}): the changed code runs only in "
                  f"{', '.join(sorted({f for o in elsewhere for f in o.functions}))}'s calls "
                  f"({', '.join(o.mutant.id for o in elsewhere)})."]
    table = distribution(outcomes)
    lines += ["", f"Failing test cells of its function, per mutant killed by a graded cell "
              f"({sum(a for a, _, _ in table.values())}; {sum(c for _, _, c in table.values())} of them "
              "compute wrong values rather than raise):", "",
              "| cells failing | mutants: all the function's cells | mutants: its hidden behaviour cells "
              "| of those, the mutants that do not raise |", "| --- | --- | --- | --- |"]
    lines += [f"| {n} | {a} | {b} | {c} |" for n, (a, b, c) in table.items()]
    several = [o for o in outcomes if o.status == "killed" and len(o.behaviour) > 1]
    groups = several_groups(several)
    lines += ["", f"Killed mutants failing more than one behaviour cell: {len(several)}: "
              f"{len(groups['raises'])} raise in each of them (the function cannot run on those inputs), "
              f"{len(groups['visible'])} compute wrong values on the visible fixture too (wrong on ordinary "
              f"input, so every cell that compares its values sees it), {len(groups['explained'])} are "
              f"explained one by one, {len(groups['unexplained'])} are not explained:", ""]
    rest = groups["explained"] + groups["unexplained"]
    if rest:
        lines += ["| id | change | behaviour cells failing | why |", "| --- | --- | --- | --- |"]
        lines += [f"| {o.mutant.id} | `{_cell(o.mutant.before)}` -> `{_cell(o.mutant.after)}` | "
                  f"{', '.join(o.behaviour)} | {_cell(SEVERAL.get(o.mutant.key, 'NOT EXPLAINED'))} |"
                  for o in rest]
    combos = Counter(tuple(sorted(o.behaviour)) for o in several)
    if combos:
        lines += ["", "| hidden cells failing together | mutants |", "| --- | --- |"]
        lines += [f"| {', '.join(combo)} | {n} |" for combo, n in combos.most_common()]
    reasons = defaultdict(list)
    for o in outcomes:
        if o.status in ("equivalent", "wrongly listed"):
            reasons[o.note].append(o)
    lines += ["", f"Equivalent mutants: {sum(len(v) for v in reasons.values())}, by reason "
              "(the hand-outs that differ from the reference's, with the largest absolute difference):", "",
              "| mutants | reason | ids | hand-outs that differ |", "| --- | --- | --- | --- |"]
    for reason, mine in reasons.items():
        gaps = [d for o in mine for d in o.differs.values()]
        differ = (f"{len({g for o in mine for g in o.differs})} cells, up to {max(g[0] for g in gaps):.3g}"
                  if gaps else "none")
        lines.append(f"| {len(mine)} | {_cell(reason)} | {', '.join(o.mutant.id for o in mine)} | {differ} |")
    for title, status in (("Surviving mutants", "survived"), ("Wrongly listed as equivalent", "wrongly listed")):
        mine = [o for o in outcomes if o.status == status]
        lines += ["", f"{title}: {len(mine)}", ""]
        if mine:
            lines += ["| id | where | operator | before | after | failing / differing cells |",
                      "| --- | --- | --- | --- | --- | --- |"]
            lines += [f"| {o.mutant.id} | {o.mutant.function}:{o.mutant.line} | {o.mutant.operator} | "
                      f"`{_cell(o.mutant.before)}` | `{_cell(o.mutant.after)}` | "
                      f"{_cell(', '.join(o.failed) or ', '.join(o.differs) or 'the same hand-outs')} |"
                      for o in mine]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="list the mutants, grade none")
    parser.add_argument("--only", default="", help="comma-separated ids or substrings of keys")
    parser.add_argument("--workers", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    parser.add_argument("--out", default=str(ROOT / "build" / "mutants"),
                        help="writes OUT.md and OUT.json")
    parser.add_argument("--notebook", help="grade with another source notebook's test cells (and "
                        "reference), such as an older commit's (default: source/)")
    parser.add_argument("--checks", help="that notebook's em_grading.py (default: source/'s)")
    parser.add_argument("--grading-run", type=int, default=0, metavar="N",
                        help="also grade N mutants of each cell with python -m grading.run "
                             "(sandboxed) and compare its verdicts, cell by cell, with in-process ones")
    args = parser.parse_args(argv)
    if args.notebook and args.grading_run:
        parser.error("--grading-run grades with the course's own source/, not --notebook's")
    global SOURCE_NB, CHECKS_MODULE
    SOURCE_NB = pathlib.Path(args.notebook) if args.notebook else SOURCE_NB   # the workers fork after this
    CHECKS_MODULE = pathlib.Path(args.checks) if args.checks else CHECKS_MODULE
    mutants = all_mutants()
    stale = [key for key in (*EQUIVALENT, *CHARGED) if key not in {m.key for m in mutants}]
    if stale:
        print(f"warning: {len(stale)} listed mutant(s) no longer made: {stale}", file=sys.stderr)
    if args.only:
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        mutants = [m for m in mutants if any(w == m.id or w in m.key for w in wanted)]
    if args.list:
        for m in mutants:
            print(f"{m.id}  {m.operator:12s} {m.function}:{m.line}  {m.before}  ->  {m.after}")
        print(f"{len(mutants)} mutants", file=sys.stderr)
        return 0
    start = time.monotonic()
    pool = Pool(args.workers)
    try:
        def progress(done, total):
            if done % 100 == 0 or done == total:
                print(f"  {done}/{total} mutants graded, {time.monotonic() - start:.0f} s", file=sys.stderr)
        results = pool.run(mutants, progress)
    finally:
        pool.close()
    seconds = time.monotonic() - start
    grader = Grader()
    reached = grader.reached()
    outcomes = [outcome(m, results[m.id], grader.test_cells, reached) for m in mutants]
    command = "python tests/mutants.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = report(outcomes, seconds, command, args.workers)
    if args.grading_run:
        chosen = sample(mutants, args.grading_run)
        started = time.monotonic()
        graded = grading_run(chosen, workers=args.workers)
        compared, differ = agreement(results, graded)
        failing = sum(not passed for cells in graded.values() for passed in cells.values())
        statuses = Counter(o.status for o in outcomes if o.mutant in chosen)
        text += (f"\nThe grading run (`python -m grading.run`, sandboxed, {args.workers} workers, "
                 f"{time.monotonic() - started:.0f} s) on {len(chosen)} of these mutants "
                 f"({args.grading_run} per cell, {', '.join(f'{n} {k}' for k, n in statuses.items())}: "
                 f"{', '.join(m.id for m in chosen)}): {compared} test cells compared ({failing} of them "
                 f"failing in the grading run), {compared - len(differ)} with the same verdict as "
                 f"in-process, {len(differ)} not.\n")
        if differ:
            text += "\n| mutant | cell | in-process passed | grading run passed |\n| --- | --- | --- | --- |\n"
            text += "".join(f"| {m} | {g} | {a} | {b} |\n" for m, g, a, b in differ)
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(text)
    out.with_suffix(".json").write_text(json.dumps(
        [{**dataclasses.asdict(o.mutant), **{k: v for k, v in dataclasses.asdict(o).items() if k != "mutant"}}
         for o in outcomes], indent=1))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
