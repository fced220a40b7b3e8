"""Correct: the face-image correlations by FFT, running sums for the background windows."""
import numpy as np


def window_sums(values, w):
    """Sums of ``values`` (W, ...) over every run of ``w`` consecutive rows."""
    c = np.concatenate([np.zeros((1,) + values.shape[1:]), np.cumsum(values, axis=0)])
    return c[w:] - c[:-w]


def calculate_log_probability(X, F, B, s):
    H, W, K = X.shape
    w = F.shape[1]
    X, F, B = (np.asarray(v, dtype=float) for v in (X, F, B))
    n = W + w
    spectrum = np.fft.rfft(X, n=n, axis=1) * np.fft.rfft(F[:, ::-1], n=n, axis=1)[:, :, None]
    face_dot = np.fft.irfft(spectrum.sum(axis=0), n=n, axis=0)[w - 1:W]        # (D, K)
    background_dot = (B[:, :, None] * X).sum(axis=0)                          # (W, K)
    window_dot = window_sums(background_dot, w)                               # (D, K)
    window_norm = window_sums((B ** 2).sum(axis=0), w)                        # (D,)
    cross = background_dot.sum(axis=0) - window_dot + face_dot
    norm = (B ** 2).sum() - window_norm + (F ** 2).sum()
    squared = (X ** 2).sum(axis=(0, 1)) - 2 * cross + norm[:, None]
    return -squared / (2 * s ** 2) - H * W * np.log(np.sqrt(2 * np.pi) * s)


def calculate_lower_bound(X, F, B, s, a, q):
    ll = calculate_log_probability(X, F, B, s)
    used = q > 0
    with np.errstate(divide="ignore"):
        log_a = np.broadcast_to(np.log(a)[:, None], q.shape)
    return float(np.sum(q[used] * (ll[used] + log_a[used] - np.log(q[used]))))


def run_e_step(X, F, B, s, a):
    with np.errstate(divide="ignore"):
        logits = calculate_log_probability(X, F, B, s) + np.log(a)[:, None]
    weights = np.exp(logits - logits.max(axis=0))
    return weights / weights.sum(axis=0)
