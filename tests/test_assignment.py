"""grading/assignment.py states the assignment's facts once; the notebook must agree with it."""
import ast

from conftest import SOURCE_NB
from grading.assignment import ANSWERS, ASSIGNMENT, FUNCTIONS, NOTEBOOK, SCHEDULE
from nbtools.notebook_cells import cells_by_id, read, solution_ids


def test_the_functions_are_the_notebooks_solution_cells():
    nb = read(SOURCE_NB)
    cells = solution_ids(nb)
    assert cells == [*FUNCTIONS, *ANSWERS], f"notebook: {cells}, grading/assignment.py: {FUNCTIONS}, {ANSWERS}"


def test_the_schedule_is_the_one_the_notebook_runs():
    """The schedule cell's ``lens, iters = [...], [...]`` outside autograding (its else branch)."""
    tree = ast.parse(cells_by_id(read(SOURCE_NB))["schedule"].source)
    branch = next(node for node in ast.walk(tree) if isinstance(node, ast.If)).orelse
    lens, iters = ast.literal_eval(branch[0].value)
    assert tuple(zip(lens, iters)) == SCHEDULE, f"notebook: {list(zip(lens, iters))}"


def test_the_notebook_is_where_the_name_says():
    assert SOURCE_NB.name == NOTEBOOK and SOURCE_NB.parent.name == ASSIGNMENT
