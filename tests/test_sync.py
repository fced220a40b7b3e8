"""What is committed and generated is, byte for byte, what source/ generates today.

Each test regenerates into a temporary folder, with the commands `make` runs, and compares
the files' bytes with the committed ones: the generated files have no run-dependent content
(no timings, dates or memory addresses; fixed seeds), so any difference is a real change.
"""
import difflib
import re
import subprocess
import sys

import pytest

from support import ASSIGNMENT, NOTEBOOK, RELEASE_NB, ROOT, SOLUTION_NB, nbgrader, nbgrader_env, new_course
from demo import make_submissions
from coursetools import notebook_cells

pytestmark = pytest.mark.slow  # `make check` leaves it out (pytest.ini)

SOLUTION_HTML = SOLUTION_NB.with_suffix(".html")


def assert_same_bytes(fresh, committed, remedy):
    """Fail with the first differing lines unless the two files are identical byte for byte."""
    fresh_bytes, committed_bytes = fresh.read_bytes(), committed.read_bytes()
    if fresh_bytes == committed_bytes:
        return
    diff = difflib.unified_diff(
        committed_bytes.decode(errors="replace").splitlines(),
        fresh_bytes.decode(errors="replace").splitlines(),
        fromfile=f"committed {committed.relative_to(ROOT)}", tofile="regenerated", lineterm="", n=1)
    shown = "\n".join(line[:200] for _, line in zip(range(30), diff))
    raise AssertionError(f"{committed.relative_to(ROOT)} differs from what is generated today "
                         f"({len(committed_bytes)} bytes committed, {len(fresh_bytes)} "
                         f"regenerated): {remedy}\n{shown}")


def reader_html(course, notebook, output):
    """``make solutions``' HTML step, run with the course's own copy of grading/."""
    subprocess.run([sys.executable, "-m", "grading.render.reader_html", str(notebook),
                    "--images", str(course / "source" / ASSIGNMENT), "--output", str(output)],
                   cwd=course, env=nbgrader_env(), check=True)


def test_release_is_in_sync_with_source(tmp_path):
    course = new_course(tmp_path)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    assert_same_bytes(course / "release" / ASSIGNMENT / NOTEBOOK, RELEASE_NB,
                      "run `make release` and commit it")


def test_solutions_are_in_sync_with_source(tmp_path):
    """The executed solution notebook and its HTML, regenerated as `make solutions` does."""
    course = new_course(tmp_path)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    nbgrader(course, "generate_solution", ASSIGNMENT, "--force")
    fresh = course / "solutions" / ASSIGNMENT / NOTEBOOK
    assert_same_bytes(fresh, SOLUTION_NB, "run `make solutions` and commit it")
    reader_html(course, fresh, tmp_path / "fresh.html")
    assert_same_bytes(tmp_path / "fresh.html", SOLUTION_HTML, "run `make solutions` and commit it")


def test_a_failing_cell_stops_generate_solution(tmp_path):
    """A cell that raises stops `nbgrader generate_solution` (grading.steps.solution_only.ExecuteSolution)
    instead of leaving a traceback in the solution notebook."""
    course = new_course(tmp_path)
    source = course / "source" / ASSIGNMENT / NOTEBOOK
    nb = notebook_cells.read(source)
    cell = notebook_cells.cells_by_id(nb)["data_file"]
    cell.source += '\nraise RuntimeError("broken on purpose")'
    notebook_cells.write(nb, source)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    proc = nbgrader(course, "generate_solution", ASSIGNMENT, "--force", check=False)
    assert proc.returncode != 0, f"generate_solution succeeded with a failing cell:\n{proc.stderr[-2000:]}"
    assert "broken on purpose" in proc.stdout + proc.stderr, proc.stderr[-2000:]


def test_solution_html_is_made_from_the_solution_notebook(tmp_path):
    """The committed HTML is the committed notebook's (quicker than regenerating both)."""
    reader_html(ROOT, SOLUTION_NB, tmp_path / "solution.html")
    assert_same_bytes(tmp_path / "solution.html", SOLUTION_HTML, "run `make solutions` and commit it")


def test_demo_submissions_are_in_sync(tmp_path):
    make_submissions.main([], out=tmp_path)
    for student in make_submissions.submissions():
        path = ROOT / "demo" / "submitted" / student / ASSIGNMENT / NOTEBOOK
        assert_same_bytes(tmp_path / student / ASSIGNMENT / NOTEBOOK, path,
                          "run `make submissions` and commit it")


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
                   and "solution-only" in c.metadata.get("tags", []) and "em_grading.show_figure(" in c.source]
    assert len(walkthrough) == 6
    for cell in walkthrough:
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source[:60]



# What changes from run to run and so must not be in a committed output: seconds, dates and
# times of day, memory addresses and default object reprs.
RUN_DEPENDENT = {
    "seconds": r"\d(\.\d+)? ?(s|sec|seconds|ms)\b",
    "a date": r"\b20\d\d-\d\d-\d\d\b",
    "a time of day": r"\b\d\d:\d\d:\d\d\b",
    "a memory address": r"\b0x[0-9a-fA-F]{6,}\b",
    "an object's repr": r"<[\w.]+ object at ",
}


def test_committed_outputs_hold_no_run_dependent_numbers():
    """Every output of the executed notebooks in solutions/ and demo/ is the same in every run."""
    paths = [SOLUTION_NB, *sorted((ROOT / "demo" / "submitted").glob(f"*/{ASSIGNMENT}/{NOTEBOOK}"))]
    for path in paths:
        for i, cell in enumerate(notebook_cells.read(path).cells):
            for output in cell.get("outputs", []):
                texts = [output.get("text", ""), output.get("data", {}).get("text/plain", ""),
                         output.get("data", {}).get("text/html", "")]
                for text in texts:
                    text = "".join(text) if isinstance(text, list) else text
                    for what, pattern in RUN_DEPENDENT.items():
                        found = re.search(pattern, text)
                        assert not found, (f"{path.relative_to(ROOT)}, cell {i}: {what} in an output "
                                           f"({found.group(0)!r} in {text[:200]!r}): it changes "
                                           f"from run to run; count instead, or leave it to `make bench`")
