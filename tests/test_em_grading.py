"""em_grading.py, the checks the notebook's test cells use: restoring numpy and builtins,
clear messages, and counting loops."""
import builtins

import numpy as np
import pytest

import em_grading
import plain_formulas


def test_restore_undoes_patched_numpy_and_builtins():
    originals = (np.allclose, np.isclose, np.all, np.testing.assert_allclose, builtins.all, builtins.abs)
    try:
        np.allclose = lambda *args, **kwargs: True
        np.isclose = lambda *args, **kwargs: True
        np.all = lambda *args, **kwargs: True
        np.testing.assert_allclose = lambda *args, **kwargs: None
        builtins.all = lambda iterable: True
        builtins.abs = lambda value: 0
        with pytest.raises(AssertionError, match="expected"):
            em_grading.check_close([1.0, 2.0], [1.0, 3.0], "f(x)")
        assert (np.allclose, np.isclose, np.all, np.testing.assert_allclose, builtins.all,
                builtins.abs) == originals
    finally:
        np.allclose, np.isclose, np.all, np.testing.assert_allclose, builtins.all, builtins.abs = originals


@pytest.mark.parametrize("got, message", [
    ([1.0, 2.0, 3.0], "shape"), ([np.nan, 2.0], "nan"), ("text", "not an array"),
    ([1.0, 2.5], "expected:"),
])
def test_check_close_says_what_was_wrong(got, message):
    with pytest.raises(AssertionError, match=message) as failure:
        em_grading.check_close(got, [1.0, 2.0], "f(x)")
    assert "f(x)" in str(failure.value)


def test_check_close_ignores_array_subclasses_that_lie():
    class Liar(np.ndarray):
        def __sub__(self, other):
            return np.zeros(self.shape)
    liar = np.array([5.0, 6.0]).view(Liar)
    with pytest.raises(AssertionError):
        em_grading.check_close(liar, [1.0, 2.0], "f(x)")


def test_count_loops():
    assert em_grading.count_loops(em_grading.restore) == (2, 2)
    assert em_grading.count_loops(plain_formulas.log_probability) == (4, 4)
    with pytest.raises(AssertionError, match="at most 1"):
        em_grading.check_loops(plain_formulas.log_probability, most=1)
    with pytest.raises(AssertionError, match="inside another"):
        em_grading.check_loops(em_grading.restore, most=3)
    em_grading.check_loops(em_grading.as_array, most=0)
