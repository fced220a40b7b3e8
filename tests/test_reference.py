"""The reference solution in source/: the seed's expected values, the plain formulas,
numerical stability, and no loop over the images."""
import ast
import warnings

import numpy as np
import pytest

import plain_formulas as plain
from support import FUNCTIONS, load_solution_namespace
from coursetools import notebook_cells


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
    tree = ast.parse(notebook_cells.cells_by_id(source_nb)[name].source)
    return [node for node in ast.walk(tree)
            if isinstance(node, (ast.For, ast.While, ast.comprehension))]


def test_reference_is_vectorised(source_nb):
    """No loop at all in the four steps; run_EM loops over iterations only."""
    for name in FUNCTIONS[:4]:
        assert loops_in(source_nb, name) == [], name
    assert len(loops_in(source_nb, "run_EM")) == 1


# --- No subnormal numbers, hard-EM's gathered M-step -----------------------------------------

TINY = np.finfo(float).tiny  # the smallest normal float, 2.2e-308: below it numbers are subnormal


def subnormal(values):
    values = np.abs(np.asarray(values, dtype=float))
    return (values > 0) & (values < TINY)


def unflushed_posterior(ll, a):
    """The posterior by the max trick alone, written here: it keeps every subnormal number."""
    with np.errstate(divide="ignore", under="ignore"):
        logits = ll + np.log(a)[:, None]
        weights = np.exp(logits - logits.max(axis=0))
        return weights / weights.sum(axis=0)


@pytest.fixture(scope="module")
def random_start(data):
    """200 of the course's photos and a random start at which the posterior spans -750..0 in log."""
    X = data[:, :, :200].astype(float)
    rng = np.random.default_rng(12)
    H, W, _ = X.shape
    F, B = rng.integers(0, 255, (H, 73)).astype(float), rng.integers(0, 255, (H, W)).astype(float)
    return X, F, B, 50.0, np.full(W - 73 + 1, 1 / (W - 73 + 1))


def test_posterior_has_no_subnormal_numbers(reference, random_start):
    X, F, B, s, a = random_start
    ll = reference["calculate_log_probability"](X, F, B, s)
    exact = unflushed_posterior(ll, a)
    assert subnormal(exact).mean() > 0.01, "the fixture should lead the plain posterior into subnormals"
    q = reference["run_e_step"](X, F, B, s, a)
    assert not subnormal(q).any()
    # only the subnormal entries change, to 0, and nothing else by more than rounding
    np.testing.assert_array_equal(q[subnormal(exact)], 0)
    np.testing.assert_allclose(q, exact, rtol=1e-13, atol=1e-300)
    # the bound handles the zeros (0 log 0 = 0) and does not move
    np.testing.assert_allclose(reference["calculate_lower_bound"](X, F, B, s, a, q),
                               reference["calculate_lower_bound"](X, F, B, s, a, exact), rtol=1e-12)


def test_posterior_keeps_every_normal_number(reference):
    """Entries just above the smallest normal float stay; the ones that would fall below it go."""
    D = 128
    ll = np.zeros((D, 3))
    ll[1:, 0] = np.log(TINY) + np.log(D) + 1.0      # about 2.7 * D * tiny before normalising
    ll[1:, 1] = np.log(TINY) - 1.0                  # subnormal
    ll[1:, 2] = -np.inf                             # exactly 0
    q = reference["posterior_from_log_probability"](ll, np.full(D, 1 / D))
    exact = unflushed_posterior(ll, np.full(D, 1 / D))
    assert np.all(q[1:, 0] >= TINY) and not subnormal(exact[1:, 0]).any()
    np.testing.assert_allclose(q[:, 0], exact[:, 0], rtol=1e-14)
    assert subnormal(exact[1:, 1]).all() and np.all(q[1:, 1:] == 0)
    np.testing.assert_allclose(q[0], exact[0], rtol=1e-15)


def one_hot(rng, D, K):
    q = np.zeros((D, K))
    q[rng.integers(0, D, K), np.arange(K)] = 1.0
    return q


@pytest.mark.parametrize("seed, offsets", [(0, None), (1, None), (2, [3, 4])])
def test_hard_m_step_gathers_what_the_dense_product_gives(seed, offsets):
    """hard_EM=True takes the gather (no product); it agrees with the product and the plain formulas.

    Random one-hot q (some offsets unused, others shared), and one whose images all sit at
    offsets 3 and 4, so that columns 4 and 5 are covered in every image (B is their mean).
    """
    ns = load_solution_namespace()
    gathered = []
    face_windows = ns["face_windows"]
    ns["face_windows"] = lambda *args: gathered.append(1) or face_windows(*args)
    rng = np.random.default_rng(seed)
    X, _, _, _, _, _, w = random_problem(seed, H=4, W=11, w=3, K=40)
    X = X + rng.uniform(0, 1, X.shape)  # not integers: sums in another order round differently
    q = one_hot(rng, X.shape[1] - w + 1, X.shape[2])
    if offsets:
        q[:] = 0
        q[rng.choice(offsets, X.shape[2]), np.arange(X.shape[2])] = 1.0
    hard = ns["run_m_step"](X, q, w, hard_EM=True)
    assert gathered == [1]
    dense = ns["run_m_step"](X, q, w)
    assert gathered == [1]
    for got, want, plain_value in zip(hard, dense, plain.m_step(X, q, w)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got, plain_value, rtol=1e-10, atol=1e-12)


def test_hard_m_step_on_the_course_data(reference, data):
    X = data[:, :, :300].astype(float)  # a slice, as the seed's schedule passes: not contiguous
    q = one_hot(np.random.default_rng(5), X.shape[1] - 73 + 1, X.shape[2])
    for got, want in zip(reference["run_m_step"](X, q, 73, hard_EM=True), reference["run_m_step"](X, q, 73)):
        np.testing.assert_allclose(got, want, rtol=1e-10)


def test_hard_m_step_with_a_soft_q_is_the_dense_m_step(reference):
    """hard_EM=True with a q that is not one-hot: the product, not the gather."""
    X, _, _, _, _, q, w = random_problem(2)
    for got, want in zip(reference["run_m_step"](X, q, w, hard_EM=True), plain.m_step(X, q, w)):
        np.testing.assert_allclose(got, want, rtol=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_hard_em_equals_the_plain_formulas(reference, seed):
    X, F, B, s, a, _, w = random_problem(seed, zeros=False)
    got = reference["run_EM"](X, w, F, B, s, a, tolerance=-np.inf, max_iter=3, hard_EM=True)
    want = plain.run_hard_em(X, w, F, B, s, a, 3)
    for g, e in zip(got, want):
        np.testing.assert_allclose(g, e, rtol=1e-8)


def test_hard_e_step_computes_no_exp(reference, monkeypatch):
    X, F, B, s, a, _, _ = random_problem(1)
    calls = []
    exp = np.exp
    monkeypatch.setattr(np, "exp", lambda *args, **kwargs: calls.append(1) or exp(*args, **kwargs))
    q = reference["run_e_step"](X, F, B, s, a, hard_EM=True)
    assert calls == []
    np.testing.assert_array_equal(q, plain.hard_posterior(X, F, B, s, a))
    reference["run_e_step"](X, F, B, s, a)
    assert calls  # the spy sees the soft E-step's exp()


def test_hard_em_run_moves_only_what_changed(reference, data):
    """run_EM(hard_EM=True) keeps its window sums between iterations and moves only the images
    whose offset changed; step by step with fresh M-steps it gives the same, to 1e-10."""
    ns = load_solution_namespace()
    added = []
    add_windows = ns["add_windows"]
    ns["add_windows"] = lambda Y, X, images, *args, **kwargs: (
        added.append(len(images)) or add_windows(Y, X, images, *args, **kwargs))
    X = data[:, :, :200].astype(float)
    rng = np.random.default_rng(3)
    F, B = rng.uniform(0, 255, (100, 73)), rng.uniform(0, 255, (100, 200))
    a = np.full(128, 1 / 128)
    got = ns["run_EM"](X, 73, F, B, 120.0, a, tolerance=-np.inf, max_iter=4, hard_EM=True)
    # all 200 images once, then twice (out of the old offset, into the new) the ones that moved
    assert added[0] == 200 and len(added) == 7 and added[1::2] == added[2::2], added
    q = reference["run_e_step"](X, F, B, 120.0, a, hard_EM=True)
    moved = []
    for _ in range(4):
        F, B, s, a = reference["run_m_step"](X, q, 73, hard_EM=True)
        before, q = q, reference["run_e_step"](X, F, B, s, a, hard_EM=True)
        moved.append(int((before != q).any(axis=0).sum()))
    assert 0 < moved[0] < 200 and sum(moved[1:]) > 0, moved  # the cache has work to do
    assert added[1::2] == moved[:3], (added, moved)
    for g, e in zip(got[:4], (F, B, s, a)):
        np.testing.assert_allclose(g, e, rtol=1e-10)


@pytest.mark.parametrize("hard_EM, m_step_products", [(False, 3), (True, 0)])
def test_products_per_iteration(hard_EM, m_step_products):
    """What the solution notebook counts: each run_EM call computes the log-likelihoods (one
    product) at its start and once per iteration, and the images' norms once; EM's M-steps
    each multiply q by the data, hard-EM's gather instead."""
    ns = load_solution_namespace()
    calls = {"log_probability": 0, "m_step": 0, "face_windows": 0, "squared_norms": 0}
    for name in calls:
        original = ns[name]
        ns[name] = (lambda original, name: lambda *args, **kwargs:
                    calls.__setitem__(name, calls[name] + 1) or original(*args, **kwargs))(original, name)
    X, F, B, s, a, _, w = random_problem(4, zeros=False)
    ns["run_EM"](X, w, F, B, s, a, tolerance=-np.inf, max_iter=3, hard_EM=hard_EM)
    assert calls["log_probability"] == 1 + 3 and calls["m_step"] == 3
    assert calls["squared_norms"] == 1
    assert 3 - calls["face_windows"] == m_step_products  # an M-step that does not gather multiplies


def test_no_state_outlives_a_call(reference):
    """The functions keep nothing between calls: an array changed in place between two calls
    gives the new values, and a run after a hard-EM run is the same as a first one."""
    X, F, B, s, a, q, w = random_problem(5)
    first = reference["calculate_log_probability"](X, F, B, s), reference["run_m_step"](X, q, w)
    X *= 1.5
    np.testing.assert_allclose(reference["calculate_log_probability"](X, F, B, s),
                               plain.log_probability(X, F, B, s), rtol=1e-10)
    for got, want in zip(reference["run_m_step"](X, q, w), plain.m_step(X, q, w)):
        np.testing.assert_allclose(got, want, rtol=1e-9)
    assert not np.allclose(first[0], plain.log_probability(X, F, B, s))
    runs = [reference["run_EM"](X, w, F, B, s, a, max_iter=2, hard_EM=True) for _ in range(2)]
    for one, other in zip(*runs):
        np.testing.assert_array_equal(one, other)
