"""Issue 13: both answers should need EM. Does any per-pixel statistic of the photos show them?

One measure per answer, applied the same way to every view of the data:

* the prankster: ``margin(view)``, the correlation of a 100x73 view with the prankster's lineup
  picture minus the highest correlation with any other suspect's: positive when the view
  singles out the prankster, negative when it favours someone else;
* the message: ``legibility(view)``, the correlation of the view with the message's ink (dark
  is ink) over the box the lettering fills, after each row's mean is taken out of both: dark
  bands where lines of text run, which a smeared placard or wall shows too, do not say which
  letters they are; letters that can be read do.

The statistics: the mean, median, minimum, maximum and most frequent value of each pixel, over
all 1000 photos, the first 100 and the first 50 (subsets picked without knowing where the face
is). For the prankster every 73-wide window of each statistic is a view; for the message the
statistic is seen where the message is: every window when the message is in the face
(``truth["message_ink"]``, shape 100x73), the whole image when it is on the wall. EM's views are
the face F (prankster; message when it is in the face) and the background B (message on the
wall) after the seed's schedule from three random starts. Both sets of numbers go to the
summary of the test run.

Today's data fail the statistics' test: the message is on the wall, which the plain average
shows, and the best window of the average names the prankster. That test is marked as an
expected failure (strict, so it fails the day the data stop leaking: then remove the mark).
"""
import numpy as np
import pytest

from conftest import REPORTS
from prankster import scene
from test_data import run_schedule

pytestmark = pytest.mark.slow  # `make check` leaves it out (pytest.ini)

SUBSETS = {"all 1000": 1000, "first 100": 100, "first 50": 50}
EM_SEEDS = range(3)
WIDTH = 73

# Thresholds, from the numbers this file prints (the report at the end of a test run).
# EM after the schedule, today's data: margin of F 0.81, legibility of the message in B 0.93,
# from each of the three starts. The bars: the prankster must stand out from the next suspect
# by at least 0.2 of correlation in F, and the message must be at least 0.6 legible (the last
# trial redesign, with the message on a placard in the face, see the report of issue 13, read
# 0.62 to 0.74 in F from four starts, the 0.62 where its F correlated only 0.93 with the true
# face; the truth reads 0.95 on the wall, where the clock and the picture share
# the box with the letters, and 1.0 on a placard).
EM_MARGIN_MIN, EM_LEGIBILITY_MIN = 0.2, 0.6
# A statistic must not favour the prankster in any window (margin at most 0, as for a view
# that shows no face at all), and its legibility must stay well below what EM reaches: the
# smeared placard of the trial redesign left at most 0.14 in any statistic (0.12 in the mean
# of all 1000) against 0.62 to 0.74 in EM's F; today's wall reads 0.87 in the plain mean.
STAT_MARGIN_MAX, STAT_LEGIBILITY_MAX = 0.0, 0.15


def _corr(u, v):
    u, v = np.ravel(u).astype(float), np.ravel(v).astype(float)
    u, v = u - u.mean(), v - v.mean()
    norm = np.sqrt((u @ u) * (v @ v))
    return float(u @ v / norm) if norm > 0 else 0.0  # a constant view shows nothing


def margin(view, faces, culprit):
    scores = [_corr(view, face) for face in faces]
    return scores[culprit] - max(s for i, s in enumerate(scores) if i != culprit)


def ink_box(ink):
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return np.s_[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def legibility(view, ink):
    box = ink_box(ink)
    dark = -np.asarray(view, dtype=float)[box]
    ink = ink[box].astype(float)
    return _corr(dark - dark.mean(axis=1, keepdims=True), ink - ink.mean(axis=1, keepdims=True))


def mode(stack):
    """The most frequent value of each pixel (the smallest one on a tie)."""
    h, w, k = stack.shape
    index = np.arange(h * w, dtype=np.int64).repeat(k) * 256 + stack.reshape(-1).astype(np.int64)
    counts = np.bincount(index, minlength=h * w * 256).reshape(h, w, 256)
    return counts.argmax(axis=2).astype(float)


def statistics(data):
    """name -> per-pixel statistic (100x200) of the photos, for every subset."""
    stats = {}
    for subset, k in SUBSETS.items():
        stack = data[:, :, :k]
        stats[f"mean, {subset}"] = stack.mean(axis=2)
        stats[f"median, {subset}"] = np.median(stack, axis=2)
        stats[f"min, {subset}"] = stack.min(axis=2).astype(float)
        stats[f"max, {subset}"] = stack.max(axis=2).astype(float)
        stats[f"mode, {subset}"] = mode(stack)
    return stats


def windows(image):
    return [image[:, d:d + WIDTH] for d in range(image.shape[1] - WIDTH + 1)]


def message(truth):
    """(ink mask, True if it is in the face's coordinates, False if on the wall's)."""
    if "message_ink" in truth:
        return truth["message_ink"].astype(bool), True
    return truth["background"] == scene.INK, False


def test_the_measures_tell_answers_from_noise(truth):
    """The truth scores high, a picture without the answers scores low, by the same measures."""
    faces, culprit = truth["faces"], int(truth["prankster"])
    ink, in_face = message(truth)
    assert margin(truth["face"], faces, culprit) > EM_MARGIN_MIN
    assert legibility(truth["face" if in_face else "background"], ink) > 0.9
    noise = np.random.default_rng(0).integers(0, 256, truth["background"].shape)
    assert margin(noise[:, :WIDTH], faces, culprit) < 0.1
    assert abs(legibility(noise if not in_face else noise[:, :WIDTH], ink)) < 0.1
    assert legibility(np.full(ink.shape, 128.0), ink) == 0.0


@pytest.fixture(scope="module")
def statistic_scores(data, truth):
    """name -> (best margin, windows favouring the prankster, best legibility)."""
    faces, culprit = truth["faces"], int(truth["prankster"])
    ink, in_face = message(truth)
    scores = {}
    for name, image in statistics(data).items():
        margins = [margin(v, faces, culprit) for v in windows(image)]
        readable = (max(legibility(v, ink) for v in windows(image)) if in_face
                    else legibility(image, ink))
        scores[name] = (max(margins), sum(m > 0 for m in margins), readable)
    lines = [f"{'statistic':22s} {'best margin':>11s} {'windows > 0':>12s} {'legibility':>10s}"]
    lines += [f"{name:22s} {m:+11.3f} {n:8d}/{len(margins):<3d} {r:+10.3f}"
              for name, (m, n, r) in scores.items()]
    REPORTS.append(("issue 13: the answers in per-pixel statistics of the photos "
                    "(margin: prankster minus best other suspect; legibility of the message)",
                    "\n".join(lines)))
    return scores


@pytest.fixture(scope="module")
def em_scores(reference, data, truth):
    """seed -> (margin of F, legibility of the message in F or B)."""
    faces, culprit = truth["faces"], int(truth["prankster"])
    ink, in_face = message(truth)
    X = data.astype(float)
    scores = {}
    for seed in EM_SEEDS:
        F, B = run_schedule(reference, X, seed)
        scores[seed] = (margin(F, faces, culprit), legibility(F if in_face else B, ink))
    lines = [f"EM from random start {seed}: margin of F {m:+.3f}, legibility of the message in "
             f"{'F' if in_face else 'B'} {r:+.3f}" for seed, (m, r) in scores.items()]
    REPORTS.append(("issue 13: the answers in what EM recovers (same measures)", "\n".join(lines)))
    return scores


def test_em_shows_both_answers(em_scores):
    for seed, (m, r) in em_scores.items():
        assert m >= EM_MARGIN_MIN, f"start {seed}: F singles out the prankster by only {m:.3f}"
        assert r >= EM_LEGIBILITY_MIN, f"start {seed}: the message is {r:.3f} legible"


@pytest.mark.xfail(strict=True, reason="issue 13: the wall's message shows in the plain average, "
                   "and the average's best window names the prankster")
def test_no_statistic_of_the_photos_shows_either_answer(statistic_scores, em_scores):
    for name, (m, n, r) in statistic_scores.items():
        assert m <= STAT_MARGIN_MAX, f"{name}: {n} windows favour the prankster, by up to {m:.3f}"
        assert r <= STAT_LEGIBILITY_MAX, f"{name}: the message is {r:.3f} legible"
