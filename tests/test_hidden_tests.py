"""The hidden test cells themselves: their expected values agree with the plain formulas,
and they fail on wrong implementations.

Each hidden test cell is executed outside nbgrader, in a namespace where the five
functions are either the plain-formula versions from tests/plain_formulas.py (all cells
must pass) or deliberately broken ones (the cells of the broken function must fail).
"""
import numpy as np
import pytest

import plain_formulas as plain
from support import ANSWERS, FUNCTIONS, load_solution_namespace
from coursetools import notebook_cells
from prankster import secret


PLAIN = {
    **plain.NOTEBOOK_FUNCTIONS,
    "PRANKSTER": secret.PRANKSTER,
    "GAMES_LOCATION": " ".join(secret.MESSAGE).lower(),
}


def run_cell(source, functions):
    ns = load_solution_namespace()
    ns.update(functions)
    exec(compile(source, "hidden test", "exec"), ns)


def hidden_cells(source_nb):
    """Every test cell with hidden tests, but the loop-limit cells (the plain formulas loop)."""
    cells = notebook_cells.cells_by_id(source_nb)
    return [(gid, cells[gid].source) for gid, _ in notebook_cells.grade_cells(source_nb)
            if "BEGIN HIDDEN TESTS" in cells[gid].source and not gid.endswith("_loops")]


def test_every_test_cell_has_hidden_tests(source_nb):
    """So that hard-coding what the visible tests show earns no point anywhere."""
    cells = notebook_cells.cells_by_id(source_nb)
    for gid, _ in notebook_cells.grade_cells(source_nb):
        if gid != "run_EM_visible":  # random starts: there is no answer to hard-code
            assert "### BEGIN HIDDEN TESTS" in cells[gid].source, gid


def test_there_are_hidden_tests_for_every_function(source_nb):
    ids = [gid for gid, _ in hidden_cells(source_nb)]
    for name in FUNCTIONS + ANSWERS:
        assert any(gid.startswith(name + "_hidden") for gid in ids), name


def test_plain_formulas_pass_every_hidden_test(source_nb):
    for gid, source in hidden_cells(source_nb):
        run_cell(source, PLAIN)


def broken(name, **changes):
    """PLAIN with one function replaced."""
    functions = dict(PLAIN)
    functions.update(changes)
    return name, functions


def shifted_log_probability(X, F, B, s):   # normalising constant with s instead of s^2
    H, W, _ = X.shape
    return plain.log_probability(X, F, B, s) + 0.5 * H * W * np.log(s)


def e_step_ignoring_prior(X, F, B, s, a, hard_EM=False):
    return plain.posterior(X, F, B, s, np.full(len(a), 1 / len(a)))


def bound_without_entropy(X, F, B, s, a, q, hard_EM=False):
    return plain.lower_bound(X, F, B, s, a, q) + float(np.sum(q[q > 0] * np.log(q[q > 0])))


def m_step_with_variance(X, q, w, hard_EM=False):
    F, B, s, a = plain.m_step(X, q, w)
    return F, B, s ** 2, a


def m_step_background_everywhere(X, q, w, hard_EM=False):
    F, _, s, a = plain.m_step(X, q, w)
    return F, X.mean(axis=2), s, a


def em_without_final_e_step(*args, **kwargs):
    F, B, s, a, LL = plain.notebook_run_em(*args, **kwargs)
    return F, B, s, a, LL[:-1]


BROKEN = [
    broken("calculate_log_probability", calculate_log_probability=shifted_log_probability),
    broken("calculate_lower_bound", calculate_lower_bound=bound_without_entropy),
    broken("run_e_step", run_e_step=e_step_ignoring_prior),
    broken("run_m_step_hidden_noise", run_m_step=m_step_with_variance),
    broken("run_m_step_hidden_background", run_m_step=m_step_background_everywhere),
    broken("run_EM_hidden_returns", run_EM=em_without_final_e_step),
    broken("answer_prankster", PRANKSTER="all of them"),
    broken("answer_location", GAMES_LOCATION="somewhere"),
]


@pytest.mark.parametrize("prefix, functions", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_function_fails_its_hidden_test(source_nb, prefix, functions):
    cells = [(gid, src) for gid, src in hidden_cells(source_nb) if gid.startswith(prefix)]
    assert cells
    failures = 0
    for gid, source in cells:
        try:
            run_cell(source, functions)
        except AssertionError as error:
            failures += 1
            assert str(error), f"{gid} failed without saying why"
    assert failures >= 1, f"no hidden test of {prefix} caught the mistake"
