"""Correct: float32 for the big product, and no care for numpy's RuntimeWarnings."""
import numpy as np


def calculate_lower_bound(X, F, B, s, a, q):
    ll = calculate_log_probability(X, F, B, s)
    terms = q * (ll + np.log(a)[:, None] - np.log(q))   # warns: log(0), then 0 * inf
    return np.sum(np.where(q > 0, terms, 0.0))


def run_e_step(X, F, B, s, a):
    logits = calculate_log_probability(X, F, B, s) + np.log(a)[:, None]   # warns on a = 0
    logits = logits - logits.max(axis=0)
    return np.exp(logits) / np.exp(logits).sum(axis=0)


def run_m_step(X, q, w):
    H, W, K = X.shape
    D = W - w + 1
    a = q.sum(axis=1) / q.sum()
    Y = (X.reshape(H * W, K).astype(np.float32) @ q.T.astype(np.float32)).astype(float)
    Y = Y.reshape(H, W, D)
    F = sum(Y[:, d:d + w, d] for d in range(D)) / K
    covered = np.zeros((D, W))
    for d in range(D):
        covered[d, d:d + w] = 1
    weight = q.sum(axis=1)
    numerator = Y.sum(axis=2) - np.einsum("ijd,dj->ij", Y, covered)
    denominator = weight.sum() - weight @ covered
    B = numerator / denominator                              # warns where never seen ...
    B = np.where(np.isfinite(B), B, X.mean(axis=2))          # ... and fills those pixels
    squared = 0.0
    for d in range(D):
        model = B.copy()
        model[:, d:d + w] = F
        squared += np.sum(q[d] * ((X - model[:, :, None]) ** 2).sum(axis=(0, 1)))
    return F, B, np.sqrt(squared / (H * W * K)), a
