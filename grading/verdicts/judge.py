"""Verdicts on test cells, reached in the grading process from the values a cell handed out.

``Checks`` holds what the checks of one assignment run with: numpy as ``np``, the
assignment's checks module (``em_grading.py`` for em_prankster, loaded from the instructor's
``source/``, never the student's copy) and its public names, and each of the student's
functions as source (``SubmittedFunction``, read from the submitted notebook's cells, for the
loop limits). ``Checks.judge`` runs one cell's checks on its hand-in and returns a
``Verdict``: passed, or failed with a reason and the one-line message the student sees.
"""
import ast
import builtins
import dataclasses
import functools
import importlib.util
import sys
from pathlib import Path

import numpy as np

from grading.verdicts.handin import BadHandIn, Limits, decode

__all__ = ["Checks", "SubmittedFunction", "Verdict", "functions_in", "load_module"]

#: Reasons a test cell fails, as the summary and the class report group them.
REASONS = ("wrong", "error", "no results", "bad results", "timeout", "memory", "crash")


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A test cell's outcome, decided by the grader.

    Attributes
    ----------
    passed : bool
    reason : str
        "" when passed, else one of ``REASONS``.
    message : str
        What the student is told ("" when passed).
    ename : str
        The name of the error output that carries the message in the graded notebook.
    """

    passed: bool
    reason: str = ""
    message: str = ""
    ename: str = ""

    @classmethod
    def failed(cls, reason, message, ename="AssertionError"):
        return cls(False, reason, message.strip() or "a check failed", ename)

    def as_record(self):
        return {"passed": self.passed, "reason": self.reason, "message": self.message}


@dataclasses.dataclass(frozen=True)
class SubmittedFunction:
    """A student's function as the checks see it: its name and its source in the notebook.

    ``source`` is None when the notebook does not define it with ``def``; ``missing`` then
    says why, and a check that needs the source fails with that message.
    """

    __name__: str
    source: str = None
    missing: str = ""


def load_module(path, name):
    """Import the file at ``path`` as a fresh module called ``name`` (not put in sys.modules
    under the plain name, so two assignments' modules of the same name never collide)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


@functools.lru_cache(maxsize=256)
def _python(source):
    """A cell's code as Python, IPython's magics turned into calls; None if it does not parse.
    (Cached: each test cell reads the same cells before it again.)"""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        code = TransformerManager().transform_cell(source)
        return code, ast.parse(code)
    except (SyntaxError, ValueError, ImportError):
        return None


def functions_in(sources, names):
    """Each of ``names`` as the cells ``sources`` (the student's code, in notebook order) last
    define it at their top level: {name: SubmittedFunction}."""
    last = {name: None for name in names}
    for source in sources:
        parsed = _python(source)
        if parsed is None:
            continue
        code, tree = parsed
        for node in tree.body:
            bound = _binds(node)
            for name in bound & set(names):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    last[name] = SubmittedFunction(name, ast.get_source_segment(code, node))
                else:
                    last[name] = SubmittedFunction(
                        name, None, f"{name} is set by `{type(node).__name__.lower()}` in your "
                        "notebook, not defined with `def`, so its loops cannot be counted")
    return {name: found or SubmittedFunction(name, None, f"{name} is not defined in your notebook")
            for name, found in last.items()}


def _binds(node):
    """Names a top-level statement binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    targets = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    elif isinstance(node, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.If, ast.While, ast.Try)):
        return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} | {
            n.name for n in ast.walk(node) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


class Checks:
    """What one assignment's checks run with.

    Parameters
    ----------
    module : module
        The assignment's checks module, from the instructor's ``source/``.
    name : str
        The name the test cells use for it (``em_grading``).
    functions : iterable of str
        The functions a student writes (their names are bound to their source for checks).
    limits : Limits
        What one test cell may hand out.
    """

    def __init__(self, module, name, functions, limits=Limits()):
        self.module = module
        self.functions = tuple(functions)
        self.limits = limits
        public = getattr(module, "__all__", [n for n in vars(module) if not n.startswith("_")])
        self.namespace = {"np": np, name: module, **{n: getattr(module, n) for n in public}}

    @property
    def provided(self):
        """Names the grader binds for checks: never handed out by the kernel."""
        return set(self.namespace) | set(self.functions)

    def judge(self, test, texts, token, functions, grade_id="test cell", kernel_error=None):
        """The verdict on one test cell from what its kernel code handed out.

        Parameters
        ----------
        test : grading.verdicts.testcell.TestCell
        texts : list of str
            The JSON texts of the hand-ins that arrived while the cell ran.
        token : str
            The cell's one-time token: a hand-in without it is not the cell's.
        functions : dict
            {name: SubmittedFunction} from the submitted notebook.
        grade_id : str
        kernel_error : (str, str), optional
            (ename, evalue) of the error the cell's kernel code stopped with, if it did:
            the student's message when no results came.
        """
        if not texts:
            if kernel_error:
                ename, evalue = str(kernel_error[0])[:60], str(kernel_error[1])[:2000]
                ename = ename if ename.isidentifier() else "Error"
                return Verdict.failed("error", f"{ename}: {evalue}" if evalue else ename, ename)
            return Verdict.failed("no results", "this test cell handed no results to the grader "
                                  "(its code was changed, skipped or cut short)")
        if len(texts) > 1:
            return Verdict.failed("bad results", f"this test cell handed out results "
                                  f"{len(texts)} times; the grader takes them once")
        try:
            values = decode(texts[0], token, self.limits)
        except BadHandIn as error:
            return Verdict.failed("bad results", str(error))
        return self.run(test, values, functions, grade_id)

    def run(self, test, values, functions, grade_id="test cell"):
        """The verdict of ``test``'s checks on decoded ``values``."""
        missing = set(test.handed_out) - set(values)
        if missing:
            return Verdict.failed("bad results", f"the results lack {', '.join(sorted(missing))}")
        namespace = {"__builtins__": builtins, "__name__": "__checks__", **self.namespace,
                     **{name: functions[name] for name in self.functions if name in functions},
                     **{name: values[name] for name in test.handed_out}}
        try:
            exec(compile(test.check_code, f"<checks of {grade_id}>", "exec"), namespace)
        except AssertionError as failure:
            return Verdict.failed("wrong", str(failure))
        except Exception as error:  # the values did not have the form the checks need
            return Verdict.failed("error", f"the results could not be checked: "
                                  f"{type(error).__name__}: {error}", type(error).__name__)
        return Verdict(True)


def module_path(course_root, source_directory, assignment, name):
    """Where the assignment's checks module is in the instructor's course."""
    return Path(course_root, source_directory, assignment, f"{name}.py")
