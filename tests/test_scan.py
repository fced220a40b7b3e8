"""grading/steps/scan.py: flags code that reaches the grader, and nothing in honest solutions."""
import pytest

import corpus
from grading.steps import scan
from grading.steps.rebuild import RebuildNotebook, grade_id
from coursetools import notebook_cells


@pytest.fixture(scope="module")
def context(source_nb):
    """(protected names, the released cells' imports), computed as RebuildNotebook does."""
    return RebuildNotebook.scan_context(source_nb, {grade_id(c): c.source for c in source_nb.cells
                                                    if grade_id(c)})


def test_the_names_the_tests_use_are_protected(context):
    protected, imports = context
    assert {"np", "check_close", "tX", "tF"} <= protected
    assert not {"X", "F", "B", "LL"} & protected  # a student may run EM again in a cell of their own
    assert imports["np"] == "numpy" and imports["check_close"] == "em_grading.check_close"


def test_no_honest_solution_is_flagged(source_nb, context):
    """The reference and every corpus entry that does not tamper: 5 styles, 28 mistakes."""
    entries = [e for e in corpus.entries(source_nb) if not e.twin]
    assert len(entries) >= 30
    cells = [("reference", gid, code) for gid, code in notebook_cells.reference_code(source_nb).items()]
    cells += [(e.name, gid, code) for e in entries for gid, code in e.cells.items()]
    flagged = [(name, gid, scan.findings(code, *context)) for name, gid, code in cells
               if scan.findings(code, *context)]
    assert flagged == []


HONEST = [
    "import numpy as np",
    "from em_grading import check_close",
    "%time F, B, s, a, LL = run_EM(X, 73)",
    "%matplotlib inline",
    "name = 'a b'.replace(' ', '_')",
    "seen = [1, 2]\nseen.remove(1)",
    "plt.rcParams['figure.dpi'] = 100",
    "text = open('notes.txt').read()",
    "np.random.seed(0)",
    "with np.errstate(divide='ignore'):\n    y = np.log(0.0)",
    "def helper():\n    check_close = 1\n    return check_close",
]


@pytest.mark.parametrize("code", HONEST)
def test_honest_code_is_not_flagged(code, context):
    assert scan.findings(code, *context) == []


HOSTILE = {
    "np.allclose = lambda *a, **k: True": "assigns to np.allclose",
    "import numpy\nnumpy.testing.assert_allclose = print": "assigns to numpy.testing",
    "import builtins": "imports builtins",
    "em_grading.check_close = None": "assigns to em_grading.check_close",
    "check_close = lambda *a, **k: None": "rebinds `check_close`",
    "from math import isclose as check_close": "rebinds `check_close`",
    "def f():\n    global tX\n    tX = 0": "rebinds `tX`",
    "get_ipython().input_transformers_cleanup.append(f)": "IPython's internals",
    "%config InlineBackend.figure_format = 'svg'": "IPython's internals",
    "import os\nos._exit(0)": "os._exit",
    "from os import _exit": "imports os._exit",
    "import os as o\no.kill(o.getppid(), 9)": "o.kill",
    "open('em_grading.py', 'w').write('')": "opens a file for writing",
    "exit()": "calls exit()",
    "import ctypes": "imports ctypes",
    "f.__globals__['x'] = 1": "__globals__",
    "import sys\nsys.modules['em_grading'] = None": "sys.modules",
    "setattr(np, 'allclose', f)": "calls setattr()",
    "exec('np.allclose = f')": "calls exec()",
}


@pytest.mark.parametrize("code", sorted(HOSTILE))
def test_hostile_code_is_flagged(code, context):
    found = scan.findings(code, *context)
    assert any(HOSTILE[code] in line for line in found), f"{code!r}: expected {HOSTILE[code]!r}, got {found}"
