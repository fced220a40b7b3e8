"""Two EM implementations written for the benchmark, to time the reference against.

``loop_over_offsets`` is what a typical student writes: one loop over the face offsets
in each function, broadcasting over all images inside it. ``recompute_products`` is
vectorised with matrix products, but its E-step and its bound each compute the
log-likelihoods again, and its M-step builds every model image to get s.
Both are correct; only their speed differs from the reference.
"""
import numpy as np


def _models(F, B):
    """Every model image, one per offset: shape (D, H, W)."""
    H, W = B.shape
    w = F.shape[1]
    models = np.repeat(B[None].astype(float), W - w + 1, axis=0)
    for d in range(W - w + 1):
        models[d, :, d:d + w] = F
    return models


def _run_em(steps, X, w, F, B, s, a, tolerance, max_iter):
    log_probability, lower_bound, e_step, m_step = steps
    q = e_step(X, F, B, s, a)
    LL = [lower_bound(X, F, B, s, a, q)]
    for _ in range(max_iter):
        F, B, s, a = m_step(X, q, w)
        LL.append(lower_bound(X, F, B, s, a, q))
        q = e_step(X, F, B, s, a)
        if LL[-1] - LL[-2] < tolerance:
            break
    LL.append(lower_bound(X, F, B, s, a, q))
    return F, B, s, a, np.array(LL)


def _bound_and_posterior(log_probability):
    def lower_bound(X, F, B, s, a, q):
        ll = log_probability(X, F, B, s)
        used = q > 0
        with np.errstate(divide="ignore"):
            log_a = np.broadcast_to(np.log(a)[:, None], q.shape)
        return float(np.sum(q[used] * (ll[used] + log_a[used] - np.log(q[used]))))

    def e_step(X, F, B, s, a):
        with np.errstate(divide="ignore"):
            logits = log_probability(X, F, B, s) + np.log(a)[:, None]
        weights = np.exp(logits - logits.max(axis=0))
        return weights / weights.sum(axis=0)

    return lower_bound, e_step


# --- one loop over offsets -------------------------------------------------------------

def loop_log_probability(X, F, B, s):
    H, W, K = X.shape
    w = F.shape[1]
    ll = np.empty((W - w + 1, K))
    for d in range(W - w + 1):
        model = B.astype(float)
        model[:, d:d + w] = F
        ll[d] = -((X - model[:, :, None]) ** 2).sum(axis=(0, 1)) / (2 * s ** 2)
    return ll - H * W * np.log(np.sqrt(2 * np.pi) * s)


def loop_m_step(X, q, w):
    H, W, K = X.shape
    D = W - w + 1
    a = q.sum(axis=1) / q.sum()
    F = np.zeros((H, w))
    numerator, denominator = np.zeros((H, W)), np.zeros(W)
    for d in range(D):
        outside = np.ones(W, dtype=bool)
        outside[d:d + w] = False
        weighted = (X * q[d]).sum(axis=2)        # (H, W): sum_k q[d, k] X_k
        F += weighted[:, d:d + w]
        numerator[:, outside] += weighted[:, outside]
        denominator[outside] += q[d].sum()
    F /= K
    B = np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), X.mean(axis=2))
    total = 0.0
    for d in range(D):
        model = B.copy()
        model[:, d:d + w] = F
        total += np.sum(q[d] * ((X - model[:, :, None]) ** 2).sum(axis=(0, 1)))
    return F, B, np.sqrt(total / (H * W * K)), a


LOOP_STEPS = (loop_log_probability, *_bound_and_posterior(loop_log_probability), loop_m_step)


def loop_over_offsets(X, w, F, B, s, a, tolerance=0.001, max_iter=50):
    return _run_em(LOOP_STEPS, X, w, F, B, s, a, tolerance, max_iter)


# --- matrix products, the log-likelihoods computed again for each use -------------------

def product_log_probability(X, F, B, s):
    H, W, K = X.shape
    models = _models(F, B).reshape(-1, H * W)
    images = X.reshape(H * W, K)
    squared = (images ** 2).sum(axis=0) - 2 * models @ images + (models ** 2).sum(axis=1)[:, None]
    return -squared / (2 * s ** 2) - H * W * np.log(np.sqrt(2 * np.pi) * s)


def product_m_step(X, q, w):
    H, W, K = X.shape
    D = W - w + 1
    a = q.sum(axis=1) / q.sum()
    Y = (X.reshape(H * W, K) @ q.T).reshape(H, W, D)
    F = sum(Y[:, d:d + w, d] for d in range(D)) / K
    covers = np.zeros((D, W))
    for d in range(D):
        covers[d, d:d + w] = 1
    weight = q.sum(axis=1)
    numerator = Y.sum(axis=2) - np.einsum("ijd,dj->ij", Y, covers)
    denominator = weight.sum() - weight @ covers
    B = np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), X.mean(axis=2))
    models = _models(F, B).reshape(D, H * W)
    images = X.reshape(H * W, K)
    squared = ((images ** 2).sum(axis=0)[None, :] - 2 * models @ images
               + (models ** 2).sum(axis=1)[:, None])
    return F, B, np.sqrt(np.sum(q * squared) / (H * W * K)), a


PRODUCT_STEPS = (product_log_probability, *_bound_and_posterior(product_log_probability),
                 product_m_step)


def recompute_products(X, w, F, B, s, a, tolerance=0.001, max_iter=50):
    return _run_em(PRODUCT_STEPS, X, w, F, B, s, a, tolerance, max_iter)
