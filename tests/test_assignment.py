"""The course's assignments: the registry, each one's folder and facts, and em_prankster's.

``assignments.toml`` lists them; each is a folder of source/ with its notebook, its helper
module and ``assignment.toml`` (grading/assignments.py). What the notebook says itself (its
functions and answers) is read from it; what it cannot (the helper's name, em_prankster's
schedule) is said once in its facts, and the notebook must agree with them.
"""
import ast
import tomllib

import pytest

from grading import assignments
from coursetools.notebook_cells import cells_by_id, read, solution_ids
from support import EM, ROOT, SCHEDULE


@pytest.mark.parametrize("name", assignments.names())
def test_each_registered_assignment_has_its_folder_notebook_facts_and_helper(name):
    assignment = assignments.load(name)
    assert assignment.source_notebook.is_file() and (assignment.folder / assignments.FACTS).is_file()
    assert assignment.checks_path.is_file(), assignment.checks_path
    assert assignment.checks().__name__ != assignment.checks_module  # loaded under a name of its own


@pytest.mark.parametrize("name", assignments.names())
def test_its_functions_and_answers_are_its_solution_cells(name):
    assignment = assignments.load(name)
    cells = solution_ids(read(assignment.source_notebook))
    assert sorted(cells) == sorted([*assignment.functions, *assignment.answers])
    assert [c for c in cells if c in assignment.functions] == list(assignment.functions)


def test_the_registry_lists_every_assignment_folder_once():
    listed = assignments.names()
    folders = sorted(p.parent.name for p in (ROOT / "source").glob(f"*/{assignments.FACTS}"))
    assert sorted(listed) == folders and len(set(listed)) == len(listed)
    assert tomllib.loads((ROOT / assignments.REGISTRY).read_text())["assignments"] == listed


def test_em_prankster_writes_five_functions_and_answers_two_questions():
    assert EM.functions == ("calculate_log_probability", "calculate_lower_bound", "run_e_step",
                            "run_m_step", "run_EM")
    assert EM.answers == ("answer_prankster", "answer_location")
    assert EM.section_of("run_m_step_hidden_face") == "run_m_step"


def test_the_schedule_is_the_one_the_notebook_runs():
    """The schedule cell's ``lens, iters = [...], [...]`` outside autograding (its else branch)."""
    tree = ast.parse(cells_by_id(read(EM.source_notebook))["schedule"].source)
    branch = next(node for node in ast.walk(tree) if isinstance(node, ast.If)).orelse
    lens, iters = ast.literal_eval(branch[0].value)
    assert tuple(zip(lens, iters)) == SCHEDULE, f"notebook: {list(zip(lens, iters))}"
