"""The Validate button (`nbgrader validate`) agrees with autograde about a correct solution.

Autograde drops warnings from the outputs before grading (IgnorePattern), Validate does not:
nbgrader counts any stderr output of a test cell as a failure. So a correct solution whose
numpy warns (log(0) where q is 0) used to be told "VALIDATION FAILED ... you WILL NOT receive
full credit" while autograde gave it full marks. em_grading.warnings_to_stdout prints
warnings on stdout under Validate.
"""
import re
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pytest

import corpus
from support import ASSIGNMENT, DATA, NOTEBOOK, RELEASE_NB, ROOT, nbgrader, nbgrader_env
from coursetools import notebook_cells

pytestmark = pytest.mark.slow  # `make check` leaves it out (pytest.ini)

GRADING_MODULE_DIR = ROOT / "source" / ASSIGNMENT


def with_stub_signatures(cells):
    """The corpus' functions as a student writes them into the stubs: with ``hard_EM=False``."""
    def add_flag(match):
        name, params = match.group(1), match.group(2)
        if name not in corpus.FUNCTIONS or "hard_EM" in params:
            return match.group(0)
        return f"def {name}({params}, hard_EM=False):"
    return {gid: re.sub(r"def (\w+)\(([^)]*)\):", add_flag, code) for gid, code in cells.items()}


def student_folder(tmp_path, cells):
    """A student's folder: the release, the data, em_grading.py, and a notebook with ``cells``."""
    folder = tmp_path / ASSIGNMENT
    shutil.copytree(ROOT / "release" / ASSIGNMENT, folder,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    shutil.copy(DATA, folder / DATA.name)
    shutil.copy(GRADING_MODULE_DIR / "em_grading.py", folder / "em_grading.py")
    notebook_cells.write(notebook_cells.make_submission(notebook_cells.read(RELEASE_NB), cells), folder / NOTEBOOK)
    return folder


def float32_warnings_cells(source_nb):
    entry = next(e for e in corpus.entries(source_nb) if e.name == "correct_float32_warnings")
    return with_stub_signatures(entry.cells)


def test_the_warning_solution_does_warn_in_a_visible_test_cell(source_nb):
    """The premise: this correct solution makes numpy warn on a call a released cell makes."""
    release_cells = notebook_cells.cells_by_id(notebook_cells.read(RELEASE_NB))
    call = "calculate_lower_bound(tX, tF, tB, ts, ta, np.eye(3, 2), hard_EM=True)"
    assert call in release_cells["calculate_lower_bound_hard"].source
    namespace = notebook_cells.run_cells(source_nb, ["test_fixtures"], {"np": np})
    for gid in ["calculate_log_probability", "calculate_lower_bound"]:
        exec(float32_warnings_cells(source_nb)[gid], namespace)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        eval(call, namespace)
    assert any(issubclass(w.category, RuntimeWarning) for w in caught), (
        f"{call} with the correct_float32_warnings solution: expected a RuntimeWarning, got {caught}")


def test_validate_passes_a_correct_solution_whose_numpy_warns(tmp_path, source_nb):
    folder = student_folder(tmp_path, float32_warnings_cells(source_nb))
    proc = nbgrader(folder, "validate", NOTEBOOK, check=False, timeout=600)
    assert proc.returncode == 0 and "Success! Your notebook passes all the tests." in proc.stdout, (
        f"nbgrader validate on the correct_float32_warnings solution: expected success, got "
        f"(exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr[-3000:]}")


def test_validate_still_fails_a_wrong_solution(tmp_path, source_nb):
    entry = next(e for e in corpus.entries(source_nb) if e.name == "lb_no_entropy")
    folder = student_folder(tmp_path, entry.cells)
    proc = nbgrader(folder, "validate", NOTEBOOK, check=False, timeout=600)
    assert "VALIDATION FAILED" in proc.stdout and "calculate_lower_bound(tX, tF, tB, ts, ta, tq) is wrong" in proc.stdout, (
        f"nbgrader validate on lb_no_entropy (no entropy term): expected a failure naming the "
        f"check, got (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr[-3000:]}")


def run_python(code, **env):
    environment = {**nbgrader_env(), **env}
    return subprocess.run([sys.executable, "-c", code], cwd=GRADING_MODULE_DIR, env=environment,
                          capture_output=True, text=True, timeout=120)


WARN = "import em_grading, numpy as np; np.log(np.zeros(1))"


def test_warnings_go_to_stdout_under_validate():
    proc = run_python(WARN, NBGRADER_EXECUTION="validate")
    assert "RuntimeWarning: divide by zero encountered in log" in proc.stdout, (
        f"with NBGRADER_EXECUTION=validate, log(0): expected the warning on stdout, "
        f"got stdout {proc.stdout!r}, stderr {proc.stderr!r}")
    assert "Warning" not in proc.stderr, f"expected nothing on stderr, got {proc.stderr!r}"


@pytest.mark.parametrize("execution", [None, "autograde"], ids=["jupyter", "autograde"])
def test_warnings_stay_on_stderr_in_jupyter_and_under_autograde(execution):
    """Autograde drops them from stderr (IgnorePattern): on stdout they would reach feedback."""
    proc = run_python(WARN, **({"NBGRADER_EXECUTION": execution} if execution else {}))
    assert "RuntimeWarning: divide by zero encountered in log" in proc.stderr, (
        f"with NBGRADER_EXECUTION={execution}, log(0): expected the warning on stderr, "
        f"got stdout {proc.stdout!r}, stderr {proc.stderr!r}")
    assert "Warning" not in proc.stdout, f"expected nothing on stdout, got {proc.stdout!r}"
