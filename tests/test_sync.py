"""What is committed and generated is what source/ generates today."""
import json
import shutil
import subprocess
import sys

import nbformat
import pytest

from conftest import (ASSIGNMENT, NOTEBOOK, RELEASE_NB, ROOT, SOLUTION_NB, nbgrader, nbgrader_env,
                      new_course)
from demo import make_submissions
from grading import notebook_cells

pytestmark = pytest.mark.slow  # `make check` leaves it out (pytest.ini)


def canonical(nb, outputs=True):
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        cell.pop("id", None)
        if not outputs and cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
    return nb


def test_release_is_in_sync_with_source(tmp_path):
    course = new_course(tmp_path)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    fresh = notebook_cells.read(course / "release" / ASSIGNMENT / NOTEBOOK)
    assert canonical(fresh) == canonical(notebook_cells.read(RELEASE_NB)), (
        "release/ is out of date: run `make release` and commit it")


def test_solutions_are_in_sync_with_source(tmp_path):
    course = new_course(tmp_path)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    nbgrader(course, "generate_solution", ASSIGNMENT, "--force")
    fresh = notebook_cells.read(course / "solutions" / ASSIGNMENT / NOTEBOOK)
    assert canonical(fresh, outputs=False) == canonical(notebook_cells.read(SOLUTION_NB), outputs=False), (
        "solutions/ is out of date: run `make solutions` and commit it")


def test_demo_submissions_are_in_sync():
    for student, nb in make_submissions.submissions().items():
        committed = notebook_cells.read(ROOT / "demo" / "submitted" / student / ASSIGNMENT / NOTEBOOK)
        assert canonical(nb) == canonical(committed), (
            f"demo/submitted/{student} is out of date: run `make submissions` and commit it")


def test_notebooks_name_one_kernel():
    for path in [ROOT / "source" / ASSIGNMENT / NOTEBOOK, RELEASE_NB, SOLUTION_NB,
                 *sorted((ROOT / "demo" / "submitted").glob(f"*/{ASSIGNMENT}/{NOTEBOOK}"))]:
        spec = notebook_cells.read(path).metadata.kernelspec
        assert (spec.name, spec.language) == ("python3", "python"), path


def test_source_is_committed_without_outputs():
    for cell in notebook_cells.read(ROOT / "source" / ASSIGNMENT / NOTEBOOK).cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, cell.source[:60]


def test_solution_notebook_ran_cleanly_with_its_figures():
    nb = notebook_cells.read(SOLUTION_NB)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors, errors[0]
    cells = notebook_cells.cells_by_id(nb)
    for gid in ("example_image", "schedule", "background"):
        kinds = {k for o in cells[gid].outputs for k in o.get("data", {})}
        assert "image/png" in kinds, f"no figure in solution cell {gid}"
    # the walk-through for readers: raw photos and average, film strips, bound and s,
    # posterior, prior and offsets, the answer beside the lineup, EM against hard-EM
    walkthrough = [c for c in nb.cells if c.cell_type == "code"
                   and "solution-only" in c.metadata.get("tags", []) and "plt.show()" in c.source]
    assert len(walkthrough) == 6
    for cell in walkthrough:
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source[:60]


def test_solution_html_is_made_from_the_solution_notebook(tmp_path):
    html = SOLUTION_NB.with_suffix(".html")
    shutil.copy(SOLUTION_NB, tmp_path / SOLUTION_NB.name)
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--log-level=WARN",
                    str(tmp_path / SOLUTION_NB.name)], check=True, env=nbgrader_env())
    assert (tmp_path / html.name).read_text() == html.read_text(), (
        "solutions/*.html is out of date: run `make solutions` and commit it")
