"""Correct but slow: loops over offsets and images everywhere (breaks the loop limits)."""
import math

import numpy as np


def calculate_log_probability(X, F, B, s):
    H, W, K = X.shape
    w = F.shape[1]
    ll = np.zeros((W - w + 1, K))
    for d in range(W - w + 1):
        model = np.array(B, dtype=float)
        model[:, d:d + w] = F
        for k in range(K):
            r = X[:, :, k] - model
            ll[d, k] = -np.sum(r * r) / (2 * s * s) - H * W * math.log(math.sqrt(2 * math.pi) * s)
    return ll


def calculate_lower_bound(X, F, B, s, a, q):
    ll = calculate_log_probability(X, F, B, s)
    total = 0.0
    for d in range(q.shape[0]):
        for k in range(q.shape[1]):
            if q[d, k] > 0:
                total += q[d, k] * (ll[d, k] + math.log(a[d]) - math.log(q[d, k]))
    return total


def run_e_step(X, F, B, s, a):
    ll = calculate_log_probability(X, F, B, s)
    q = np.zeros_like(ll)
    for k in range(ll.shape[1]):
        logits = [ll[d, k] + math.log(a[d]) if a[d] > 0 else -math.inf for d in range(len(a))]
        top = max(logits)
        weights = [math.exp(v - top) for v in logits]
        for d in range(len(a)):
            q[d, k] = weights[d] / sum(weights)
    return q


def run_m_step(X, q, w):
    H, W, K = X.shape
    D = W - w + 1
    a = q.sum(axis=1) / q.sum()
    F = np.zeros((H, w))
    numerator = np.zeros((H, W))
    denominator = np.zeros(W)
    for k in range(K):
        for d in range(D):
            F += q[d, k] * X[:, d:d + w, k]
            outside = np.ones(W, dtype=bool)
            outside[d:d + w] = False
            numerator[:, outside] += q[d, k] * X[:, outside, k]
            denominator[outside] += q[d, k]
    F /= K
    B = X.mean(axis=2)
    for j in range(W):
        if denominator[j] > 0:
            B[:, j] = numerator[:, j] / denominator[j]
    total = 0.0
    for k in range(K):
        for d in range(D):
            model = B.copy()
            model[:, d:d + w] = F
            total += q[d, k] * np.sum((X[:, :, k] - model) ** 2)
    return F, B, math.sqrt(total / (H * W * K)), a
