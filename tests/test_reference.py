"""The reference solution in source/: the seed's expected values, the plain formulas,
numerical stability, and no loop over the images."""
import ast
import warnings

import numpy as np
import pytest

import plain_formulas as plain
from conftest import FUNCTIONS
from prankster import notebooks


def test_seed_expected_values(reference):
    """The five visible tests of the 2018 notebook, with its numbers."""
    r = reference
    tX, tF, tB, ts, ta, tq, tw = (r[k] for k in "tX tF tB ts ta tq tw".split())
    np.testing.assert_allclose(r["calculate_log_probability"](tX, tF, tB, ts),
                               [[-3541.69812064, -5541.69812064],
                                [-4541.69812064, -6741.69812064],
                                [-6141.69812064, -8541.69812064]])
    np.testing.assert_allclose(r["calculate_lower_bound"](tX, tF, tB, ts, ta, tq), -12761.1875)
    np.testing.assert_allclose(r["run_e_step"](tX, tF, tB, ts, ta), [[1, 1], [0, 0], [0, 0]],
                               atol=1e-12)
    F, B, s, a = r["run_m_step"](tX, tq, tw)
    np.testing.assert_allclose(F, [[3.27777778], [9.27777778]])
    np.testing.assert_allclose(B, [[0.48387097, 2.5, 4.52941176], [6.48387097, 8.5, 10.52941176]])
    np.testing.assert_allclose(s, 0.94868, rtol=1e-5)
    np.testing.assert_allclose(a, [0.13888889, 0.33333333, 0.52777778])
    np.random.seed(0)
    LL = r["run_EM"](tX, tw, max_iter=3)[-1]
    assert np.all(np.diff(LL) > 0)


def random_problem(seed, H=3, W=7, w=3, K=5, zeros=True):
    rng = np.random.default_rng(seed)
    D = W - w + 1
    X = rng.uniform(0, 255, (H, W, K))
    F = rng.uniform(0, 255, (H, w))
    B = rng.uniform(0, 255, (H, W))
    s = rng.uniform(20, 90)
    a = rng.dirichlet(np.ones(D))
    q = rng.dirichlet(np.ones(D), size=K).T
    if zeros:
        a[1] = 0
        q[1] = 0
        q[0, : K // 2] = 0
        a, q = a / a.sum(), q / q.sum(axis=0)
    return X, F, B, s, a, q, w


@pytest.mark.parametrize("seed", range(4))
def test_reference_equals_the_plain_formulas(reference, seed):
    X, F, B, s, a, q, w = random_problem(seed)
    r = reference
    np.testing.assert_allclose(r["calculate_log_probability"](X, F, B, s),
                               plain.log_probability(X, F, B, s), rtol=1e-10)
    np.testing.assert_allclose(r["calculate_lower_bound"](X, F, B, s, a, q),
                               plain.lower_bound(X, F, B, s, a, q), rtol=1e-10)
    np.testing.assert_allclose(r["run_e_step"](X, F, B, s, a), plain.posterior(X, F, B, s, a),
                               atol=1e-12)
    for got, want in zip(r["run_m_step"](X, q, w), plain.m_step(X, q, w)):
        np.testing.assert_allclose(got, want, rtol=1e-9)
    got = r["run_EM"](X, w, F, B, s, a, tolerance=-np.inf, max_iter=3)
    want = plain.run_em(X, w, F, B, s, a, 3)
    for g, e in zip(got, want):
        np.testing.assert_allclose(g, e, rtol=1e-8)


def test_stable_with_zeros_and_huge_log_likelihoods(reference):
    """No nan from 0 log 0, from log(0) priors, or from exp() of -1e6."""
    r = reference
    X, F, B, _, a, q, w = random_problem(7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not even a RuntimeWarning
        L = r["calculate_lower_bound"](X, F, B, 0.5, a, q)
        qq = r["run_e_step"](X, F, B, 0.5, a)
        params = r["run_m_step"](X, q, w)
    assert np.isfinite(L)
    assert np.all(np.isfinite(qq)) and np.allclose(qq.sum(axis=0), 1) and np.all(qq[1] == 0)
    assert all(np.all(np.isfinite(p)) for p in params)
    # the log-likelihoods are around -1e5 here: exp() of them alone underflows to 0
    assert r["calculate_log_probability"](X, F, B, 0.5).max() < -1e4


def test_bound_is_the_log_marginal_likelihood_at_the_posterior(reference):
    r = reference
    X, F, B, s, a, _, _ = random_problem(3, zeros=False)
    ll = r["calculate_log_probability"](X, F, B, s)
    log_marginal = np.sum(np.log(np.sum(np.exp(ll - ll.max(0)) * a[:, None], axis=0)) + ll.max(0))
    q = r["run_e_step"](X, F, B, s, a)
    np.testing.assert_allclose(r["calculate_lower_bound"](X, F, B, s, a, q), log_marginal, rtol=1e-12)


def loops_in(source_nb, name):
    """Loops (for, while, comprehensions) in the body of the solution cell ``name``."""
    tree = ast.parse(notebooks.cells_by_id(source_nb)[name].source)
    return [node for node in ast.walk(tree)
            if isinstance(node, (ast.For, ast.While, ast.comprehension))]


def test_reference_is_vectorised(source_nb):
    """No loop at all in the four steps; run_EM loops over iterations only."""
    for name in FUNCTIONS[:4]:
        assert loops_in(source_nb, name) == [], name
    assert len(loops_in(source_nb, "run_EM")) == 1
