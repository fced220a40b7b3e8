"""em_grading.py, the checks the notebook's test cells use: clear messages, unpacking what
a function returns, and counting loops (in a function, or in source the grader read)."""
import numpy as np
import pytest

import plain_formulas
from grading.verdicts import SubmittedFunction
from support import EM

em_grading = EM.checks()


@pytest.mark.parametrize("got, message", [
    ([1.0, 2.0, 3.0], "shape"), ([np.nan, 2.0], "nan or inf values: \\[nan, 2.0\\]"),
    ("text", "not an array"), ([1.0, 2.5], "expected:"),
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


def test_unpack_says_how_many_values_came_back():
    assert em_grading.unpack((1, 2), "ab", "f(x)") == (1, 2)
    with pytest.raises(AssertionError, match="f\\(x\\) should return F, B \\(2 values\\); it returned 3 values"):
        em_grading.unpack([1, 2, 3], "FB", "f(x)")
    with pytest.raises(AssertionError, match="it returned None"):
        em_grading.unpack(None, "FB", "f(x)")


def nested_loops(n):
    total = 0
    for i in range(n):
        total += sum(j for j in range(i))
    return total


def test_count_loops():
    assert em_grading.count_loops(nested_loops) == (2, 2)
    assert em_grading.count_loops(plain_formulas.log_probability) == (4, 4)
    with pytest.raises(AssertionError, match="at most 1"):
        em_grading.check_loops(plain_formulas.log_probability, most=1)
    with pytest.raises(AssertionError, match="inside another"):
        em_grading.check_loops(nested_loops, most=3)
    em_grading.check_loops(em_grading.as_array, most=0)


def test_loops_are_counted_in_source_the_grader_read():
    read = SubmittedFunction("f", "def f(x):\n    return [y for y in x]\n")
    assert em_grading.count_loops(read) == (1, 1)
    with pytest.raises(AssertionError, match="f has 1 loop"):
        em_grading.check_loops(read, most=0)


def test_a_function_the_grader_did_not_find_fails_the_loop_limit_with_why():
    missing = SubmittedFunction("f", None, "f is not defined in your notebook")
    with pytest.raises(AssertionError, match="f is not defined in your notebook"):
        em_grading.check_loops(missing, most=3)
