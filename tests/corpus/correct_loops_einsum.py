"""Correct: one loop over offsets, einsum, and scipy's logsumexp and xlogy."""
import numpy as np
from scipy.special import logsumexp, xlogy


def calculate_log_probability(X, F, B, s):
    H, W, K = X.shape
    w = F.shape[1]
    ll = np.empty((W - w + 1, K))
    for d in range(W - w + 1):
        model = np.array(B, dtype=float)
        model[:, d:d + w] = F
        ll[d] = -((X - model[:, :, None]) ** 2).sum(axis=(0, 1)) / (2 * s ** 2)
    return ll - H * W * (0.5 * np.log(2 * np.pi) + np.log(s))


def calculate_lower_bound(X, F, B, s, a, q):
    ll = calculate_log_probability(X, F, B, s)
    return np.sum(q * ll) + np.sum(xlogy(q, np.asarray(a)[:, None])) - np.sum(xlogy(q, q))


def run_e_step(X, F, B, s, a):
    with np.errstate(divide="ignore"):
        logits = calculate_log_probability(X, F, B, s) + np.log(a)[:, None]
    return np.exp(logits - logsumexp(logits, axis=0, keepdims=True))


def run_m_step(X, q, w):
    H, W, K = X.shape
    D = W - w + 1
    a = q.sum(axis=1) / q.sum()
    F = np.zeros((H, w))
    for d in range(D):
        F += np.einsum("ijk,k->ij", X[:, d:d + w, :], q[d])
    F /= K
    background = np.ones((D, W))
    for d in range(D):
        background[d, d:d + w] = 0
    weights = background.T @ q                       # (W, K)
    numerator = np.einsum("ijk,jk->ij", X, weights)
    denominator = weights.sum(axis=1)
    B = X.mean(axis=2)
    seen = denominator > 0
    B[:, seen] = numerator[:, seen] / denominator[seen]
    total = 0.0
    for d in range(D):
        model = B.copy()
        model[:, d:d + w] = F
        total += np.sum(q[d] * ((X - model[:, :, None]) ** 2).sum(axis=(0, 1)))
    return F, B, np.sqrt(total / (H * W * K)), a


def run_EM(X, w, F=None, B=None, s=None, a=None, tolerance=0.001,
           max_iter=50):
    H, W, N = X.shape
    if F is None:
        F = np.random.randint(0, 255, (H, w))
    if B is None:
        B = np.random.randint(0, 255, (H, W))
    if a is None:
        a = np.ones(W - w + 1)
        a /= np.sum(a)
    if s is None:
        s = np.random.rand()*pow(64,2)
    q = run_e_step(X, F, B, s, a)
    LL = [calculate_lower_bound(X, F, B, s, a, q)]
    iteration = 0
    while iteration < max_iter:
        F, B, s, a = run_m_step(X, q, w)
        LL.append(calculate_lower_bound(X, F, B, s, a, q))
        q = run_e_step(X, F, B, s, a)
        iteration += 1
        if LL[-1] - LL[-2] < tolerance:
            break
    LL.append(calculate_lower_bound(X, F, B, s, a, q))
    return F, B, s, a, np.array(LL)
