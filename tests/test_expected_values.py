"""The hidden tests' expected values are what tests/expected_values.py computes from the plain
formulas, and every long number in a hidden test is one of them."""
import copy
import io
import re
import tokenize

import pytest

import expected_values
from coursetools import notebook_cells


@pytest.fixture(scope="module")
def source(source_nb):
    return source_nb


def test_the_committed_values_are_the_scripts(source):
    changed = expected_values.changed_cells(source)
    assert changed == {}, f"run `make expected`: these cells differ: {sorted(changed)}"


def test_the_script_puts_back_a_changed_value(source):
    nb = copy.deepcopy(source)
    cell = notebook_cells.cells_by_id(nb)["run_EM_hidden_parameters"]
    committed = cell.source
    cell.source = re.sub(r"check_close\(s, [0-9.e+-]+,", "check_close(s, 1.0,", committed)
    assert cell.source != committed
    assert expected_values.changed_cells(nb) == {"run_EM_hidden_parameters": committed}


def test_every_long_number_in_a_hidden_test_is_generated(source):
    """A number with 7 or more significant digits, typed by hand, would escape the script."""
    by_hand = []
    for grade_id, _ in notebook_cells.grade_cells(source):
        text = notebook_cells.cells_by_id(source)[grade_id].source
        if expected_values.BEGIN not in text or not grade_id.startswith(expected_values.FUNCTIONS):
            continue
        hidden = expected_values.hidden_lines(text)
        generated = [(node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)
                     for node, _ in expected_values.generated_sites(text)]
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.NUMBER or token.start[0] not in hidden:
                continue
            digits = re.sub(r"e.*|[^0-9]", "", token.string.lower()).strip("0")
            inside = any((l0, c0) <= token.start and token.end <= (l1, c1)
                         for l0, c0, l1, c1 in generated)
            if len(digits) >= 7 and not inside:
                by_hand.append(f"{grade_id} line {token.start[0]}: {token.string}")
    assert by_hand == []
