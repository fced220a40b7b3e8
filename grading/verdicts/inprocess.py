"""The test cells' verdicts without a kernel: the same split, hand-out and checks, in-process.

For the course's own tests and the mutation run (``tests/mutants.py``), where thousands of
variants of the reference are graded and a kernel per variant would cost seconds: each test
cell's kernel code runs in a namespace that holds the functions under test, its hand-out is
encoded and decoded exactly as in grading, and ``Checks`` decides. Only trusted code (the
reference and its mutants) runs here; students' code is graded by ``GuardedExecute`` in a
sandboxed kernel.
"""
import contextlib
import io
import sys
import types
from pathlib import Path

from grading.verdicts import handout
from grading.verdicts.judge import Checks, functions_in, load_module
from grading.verdicts.testcell import is_test_cell, split

__all__ = ["checks_for", "grade_cells", "run_test_cell"]


def checks_for(module_path, functions, name="_grader_checks.in_process"):
    """``Checks`` with the checks module at ``module_path``."""
    return Checks(load_module(module_path, name), Path(module_path).stem, functions)


def run_test_cell(source, namespace, checks, functions, grade_id="test cell"):
    """The verdict on one test cell, its kernel code run in ``namespace`` (which it changes,
    as a kernel's namespace changes cell after cell)."""
    test = split(source, checks.provided)
    token = "in-process"
    texts = []
    sender = types.ModuleType(handout.KERNEL_MODULE)
    sender.send = lambda tok, values: texts.append(handout.json.dumps(
        {"token": tok, "values": {k: handout.encode(v) for k, v in values.items()}}))
    saved = sys.modules.get(handout.KERNEL_MODULE)
    sys.modules[handout.KERNEL_MODULE] = sender
    kernel_error = None
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(test.kernel_source(handout.call(token)), f"<kernel part of {grade_id}>",
                         "exec"), namespace)
    except Exception as error:
        kernel_error = (type(error).__name__, str(error))
    finally:
        if saved is None:
            sys.modules.pop(handout.KERNEL_MODULE, None)
        else:
            sys.modules[handout.KERNEL_MODULE] = saved
    return checks.judge(test, texts, token, functions, grade_id, kernel_error)


def grade_cells(nb, namespace, checks, sources, only=None):
    """{grade_id: Verdict} for the notebook's test cells (those in ``only``, if given), in
    order, with ``namespace`` as the kernel's and ``sources`` as the student's code cells."""
    functions = functions_in(sources, checks.functions)
    verdicts = {}
    for cell in nb.cells:
        if not is_test_cell(cell):
            continue
        gid = cell.metadata.nbgrader.grade_id
        if only is None or gid in only:
            verdicts[gid] = run_test_cell(cell.source, namespace, checks, functions, gid)
    return verdicts
