"""The assignment's facts that code outside the notebook needs, each stated once.

Tests, the demo, the benchmark and the grading tools import them from here;
``tests/test_assignment.py`` checks that the notebook in ``source/`` agrees.
"""
#: The assignment's name: its folder in source/, release/, submitted/, ... and its notebook's stem.
ASSIGNMENT = "em_prankster"
#: The notebook's file name.
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
#: The functions a student writes, in notebook order; each is also its solution cell's grade_id.
FUNCTIONS = ("calculate_log_probability", "calculate_lower_bound", "run_e_step", "run_m_step",
             "run_EM")
#: The answer cells: the prankster's name and where the games are.
ANSWERS = ("answer_prankster", "answer_location")
#: The seed's schedule: (number of images, EM iterations) for each call of run_EM, each call
#: starting from the parameters the previous one returned.
SCHEDULE = ((50, 5), (100, 1), (300, 1), (500, 1), (1000, 1))


def section_of(grade_id):
    """The function or answer cell a test cell checks, from its grade_id
    (``run_m_step_hidden_face`` -> ``run_m_step``); the grade_id itself if none."""
    return next((s for s in (*FUNCTIONS, *ANSWERS) if grade_id.startswith(s + "_")), grade_id)
