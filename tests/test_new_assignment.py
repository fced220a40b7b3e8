"""A second assignment is one folder and one line of the registry.

In a scratch copy of the course, the test adds a tiny assignment, ``doubling``: one function,
one visible test cell (with hidden checks) and one hidden test cell, and a helper module of
its own (``doubling_checks.py``), its folder ``source/doubling/`` and its name in
``assignments.toml``. It shows that this touched nothing else of the course (the tree is
hashed before and after: only files in the new folder differ, and the registry by one added
line), then runs what an instructor runs: the release, the grading run of a class of three
(right, wrong, untouched), the feedback and the summary, with no other change.
"""
import difflib
import hashlib
import json
import os
import pathlib

import nbformat
import pytest

from coursetools import notebook_cells
from support import grading_run, nbgrader, new_course

pytestmark = pytest.mark.slow  # `make check` leaves it out (pytest.ini)

NAME = "doubling"

CHECKS_MODULE = '''"""The checks of doubling.ipynb's test cells, and its hidden tests' inputs."""
import numpy as np

__all__ = ["check_close", "numbers"]


def check_close(actual, expected, call):
    """Fail with a message that shows the call, what was expected and what came back."""
    try:
        got = np.array(actual, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"{call} returned {actual!r}, which is not a number") from None
    if got.shape != np.shape(expected) or not np.allclose(got, expected):
        raise AssertionError(f"{call} is wrong: expected {expected}, got {actual!r}")


def numbers():
    """The hidden test's input: a few numbers, negative and not whole among them."""
    return np.array([-2.5, 0.0, 1.0, 7.25])
'''

FACTS = '''# doubling's facts that code outside its notebook needs (grading/assignments.py).
checks_module = "doubling_checks"
'''


def cell(kind, source, grade_id=None, points=None, solution=False, locked=False):
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    new = make(source)
    new.pop("id", None)
    if grade_id:
        new.metadata["nbgrader"] = {"grade": points is not None, "grade_id": grade_id,
                                    "locked": locked, "schema_version": 3, "solution": solution,
                                    "task": False, **({"points": points} if points is not None else {})}
    return new


def doubling_notebook():
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = 4  # as the course's notebooks: cells without ids
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        cell("markdown", "# Doubling\n\nWrite `double(x)`, which returns twice `x` (numbers or arrays)."),
        cell("code", "import doubling_checks\nfrom doubling_checks import check_close", "imports", locked=True),
        cell("code", "def double(x):\n    \"\"\"Twice x.\"\"\"\n    ### BEGIN SOLUTION\n    return 2 * x\n"
             "    ### END SOLUTION", "double", solution=True),
        cell("code", "got = double(3)\n### BEGIN CHECKS\ncheck_close(got, 6, \"double(3)\")\n### END CHECKS\n"
             "### BEGIN HIDDEN TESTS\nother = double(-2.5)\n### BEGIN CHECKS\n"
             "check_close(other, -5.0, \"double(-2.5)\")\n### END CHECKS\n### END HIDDEN TESTS\nprint(\"OK\")",
             "double_visible", points=1, locked=True),
        cell("code", "# Hidden test: arrays, negative and not whole numbers.\n### BEGIN HIDDEN TESTS\n"
             "doubled = double(doubling_checks.numbers())\n### BEGIN CHECKS\n"
             "check_close(doubled, [-5.0, 0.0, 2.0, 14.5], \"double(doubling_checks.numbers())\")\n"
             "### END CHECKS\n### END HIDDEN TESTS", "double_hidden_arrays", points=2, locked=True),
    ]
    return nb


def digest(course):
    """sha256 of every file of the course, by path (what grading runs write aside)."""
    out = {}
    for where, dirs, files in os.walk(course):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            path = pathlib.Path(where, name)
            out[str(path.relative_to(course))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def add_the_assignment(course):
    """What a course author does: a folder, and one line in the registry."""
    folder = course / "source" / NAME
    folder.mkdir()
    notebook_cells.write(doubling_notebook(), folder / f"{NAME}.ipynb")
    (folder / "doubling_checks.py").write_text(CHECKS_MODULE)
    (folder / "assignment.toml").write_text(FACTS)
    registry = course / "assignments.toml"
    text = registry.read_text()
    registry.write_text(text.replace(']', f'    "{NAME}",\n]'))


@pytest.fixture(scope="module")
def doubling(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("second_assignment"))
    before, registry_before = digest(course), (course / "assignments.toml").read_text()
    add_the_assignment(course)
    after = digest(course)
    changed = sorted(path for path in set(before) | set(after) if before.get(path) != after.get(path))
    nbgrader(course, "generate_assignment", NAME, "--force")
    release = notebook_cells.read(course / "release" / NAME / f"{NAME}.ipynb")
    answers = {"alice": "def double(x):\n    return 2 * x",   # right
               "bob": "def double(x):\n    return x + x if x > 0 else x",  # wrong for x <= 0
               "carol": None}                                # untouched
    for student, code in answers.items():
        nb = notebook_cells.make_submission(release, {"double": code} if code else {})
        path = course / "submitted" / student / NAME / f"{NAME}.ipynb"
        path.parent.mkdir(parents=True)
        notebook_cells.write(nb, path)
    run = grading_run(course, "--workers", "2", assignment=NAME)
    nbgrader(course, "generate_feedback", NAME, "--force")
    records = {r["student"]: r for r in json.loads((course / "grading_results.json").read_text())}
    return dict(course=course, changed=changed, registry=(registry_before, (course / "assignments.toml").read_text()),
                run=run, records=records)


def test_adding_it_touched_only_its_folder_and_one_registry_line(doubling):
    outside = [path for path in doubling["changed"] if not path.startswith(f"source/{NAME}/")]
    assert outside == ["assignments.toml"], outside
    before, after = doubling["registry"]
    diff = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:2] in ("+ ", "- ")]
    assert diff == [f'+     "{NAME}",'], diff


def test_its_release_holds_the_stub_and_no_hidden_test(doubling):
    released = (doubling["course"] / "release" / NAME / f"{NAME}.ipynb").read_text()
    assert "raise NotImplementedError()" in released and "return 2 * x" not in released
    assert "BEGIN HIDDEN TESTS" not in released and "-5.0" not in released
    assert not (doubling["course"] / "release" / NAME / "assignment.toml").exists()


def test_the_grading_run_grades_it_with_its_own_checks(doubling):
    records = doubling["records"]
    assert [records[s]["score"] for s in ("alice", "bob", "carol")] == [3.0, 0.0, 0.0]
    bob = {c["grade_id"]: c for c in records["bob"]["cells"]}
    assert "double(-2.5) is wrong: expected -5.0, got -2.5" in bob["double_visible"]["message"]
    assert all(c["passed"] for c in records["alice"]["cells"])
    lines = (doubling["course"] / "grading_summary.txt").read_text().splitlines()
    assert [line.split()[:2] for line in lines] == [["alice", "3/3"], ["bob", "0/3"], ["carol", "0/3"]]


def test_its_feedback_shows_messages_not_its_hidden_tests(doubling):
    page = (doubling["course"] / "feedback" / "bob" / NAME / f"{NAME}.html").read_text()
    assert "double(-2.5) is wrong" in page and "BEGIN CHECKS" in page  # the visible checks show
    assert "doubling_checks.numbers()" not in page and "14.5" not in page  # the hidden test does not
