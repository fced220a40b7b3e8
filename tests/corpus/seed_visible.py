"""Run the 2018 notebook's five visible tests, as they were, on one submission.

    python seed_visible.py < cells.json     # prints a JSON list of five booleans

Runs in its own process, because a submission may patch numpy.
"""
import json
import sys

import numpy as np

SEED_TESTS = [
    """expected = np.array([[-3541.69812064, -5541.69812064],
       [-4541.69812064, -6741.69812064],
       [-6141.69812064, -8541.69812064]])
actual = calculate_log_probability(tX, tF, tB, ts)
assert np.allclose(actual, expected)""",
    """expected = -12761.1875
actual = calculate_lower_bound(tX, tF, tB, ts, ta, tq)
assert np.allclose(actual, expected)""",
    """expected = np.array([[ 1.,  1.],
                   [ 0.,  0.],
                   [ 0.,  0.]])
actual = run_e_step(tX, tF, tB, ts, ta)
assert np.allclose(actual, expected)""",
    """expected = [np.array([[ 3.27777778],
                      [ 9.27777778]]),
 np.array([[  0.48387097,   2.5       ,   4.52941176],
           [  6.48387097,   8.5       ,  10.52941176]]),
  0.94868,
 np.array([ 0.13888889,  0.33333333,  0.52777778])]
actual = run_m_step(tX, tq, tw)
for a, e in zip(actual, expected):
    assert np.allclose(a, e)""",
    """res = run_EM(tX, tw, max_iter=3)
LL = res[-1]
assert np.all(LL[1:] - LL[:-1] > 0)""",   # np.alltrue in 2018; gone in numpy 2
]

FIXTURES = """tH, tW, tw, tK = 2, 3, 1, 2
tX = np.arange(tH*tW*tK).reshape(tH, tW, tK)
tF = np.arange(tH*tw).reshape(tH, tw)
tB = np.arange(tH*tW).reshape(tH, tW)
ts = 0.1
ta = np.arange(1, (tW-tw+1)+1)
ta = ta / ta.sum()
tq = np.arange(1, (tW-tw+1)*tK+1).reshape(tW-tw+1, tK)
tq = tq / tq.sum(axis=0)[np.newaxis, :]"""


def main():
    cells = json.load(sys.stdin)
    ns = {"np": np}
    exec(FIXTURES, ns)
    for code in cells:
        try:
            exec(code, ns)
        except Exception:
            pass
    np.random.seed(0)
    verdicts = []
    for test in SEED_TESTS:
        try:
            exec(test, dict(ns))
            verdicts.append(True)
        except Exception:
            verdicts.append(False)
    print(json.dumps(verdicts))


if __name__ == "__main__":
    main()
