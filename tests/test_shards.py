"""How the grading run cuts a class into the parts its workers take (grading/run/parallel.py,
``shards_of``): one rule per test, no nbgrader, no kernel."""
import pytest

from grading.run.parallel import shards_of

CLASS = [f"student{i:03d}" for i in range(67)]


@pytest.mark.parametrize("workers", [1, 2, 3, 8])
def test_every_student_is_in_exactly_one_part_in_order(workers):
    parts = shards_of(CLASS, workers)
    assert [s for part in parts for s in part] == CLASS


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_no_part_holds_more_than_ten(workers):
    assert max(len(part) for part in shards_of(CLASS * 10, workers)) == 10


def test_parts_shrink_to_one_student_at_the_end():
    """The last students go one by one, so that a few slow ones in a row (the time cases of
    tests/hostile_cases.py are) spread over the workers instead of waiting in one part."""
    sizes = [len(part) for part in shards_of(CLASS, 3)]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] == 10 and sizes[-3:] == [1, 1, 1]


def test_a_size_given_is_kept():
    assert [len(part) for part in shards_of(CLASS, 3, size=20)] == [20, 20, 20, 7]


def test_no_students_no_parts():
    assert shards_of([], 2) == []
