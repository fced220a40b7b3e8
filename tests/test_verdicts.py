"""Verdicts outside the kernel (grading/verdicts/): one rule per test, no kernel.

Every test cell of the source notebook is split as grading splits it, and graded
in-process with the reference (full marks) and with the release's stubs (nothing); the
hand-in format is read back exactly, and everything a hostile kernel could send instead is
refused with a message; the checks' verdicts and the functions' sources read from a
notebook follow their rules.
"""
import ast
import base64
import io
import json
import pickle

import numpy as np
import pytest

from support import ANSWERS, EM, FUNCTIONS, ROOT, SOURCE_NB
from coursetools import notebook_cells
from grading.verdicts import (AuthoringError, BadHandIn, Limits, Unsupported, decode,
                              functions_in, handout, inprocess, split)
from grading.verdicts.testcell import BEGIN_CHECKS, BEGIN_HIDDEN, END_CHECKS, END_HIDDEN, regions

CHECKS_MODULE = ROOT / "source" / "em_prankster" / "em_grading.py"
TOKEN = "t" * 32


@pytest.fixture(scope="module")
def checks():
    return inprocess.checks_for(CHECKS_MODULE, FUNCTIONS + ANSWERS)


def graded_cells(nb):
    return [(c.metadata.nbgrader.grade_id, c.source) for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]


# --- the notebook's test cells --------------------------------------------------------------

def test_every_test_cell_splits(source_nb, checks):
    for gid, source in graded_cells(source_nb):
        test = split(source, checks.provided)
        assert test.check_code.strip(), f"{gid} has no checks"


def test_no_check_and_no_expected_value_reaches_the_kernel(source_nb, checks):
    """The kernel's part holds no check call and none of the numbers the checks hold."""
    for gid, source in graded_cells(source_nb):
        test = split(source, checks.provided)
        assert "check_close(" not in test.kernel_code and "check_loops(" not in test.kernel_code, gid
        numbers = {node.value for node in ast.walk(ast.parse(test.check_code))
                   if isinstance(node, ast.Constant) and isinstance(node.value, float)
                   and len(repr(abs(node.value)).replace(".", "").lstrip("0")) >= 8}
        leaked = [n for n in numbers if repr(n) in test.kernel_code]
        assert not leaked, f"{gid}: the kernel's part holds expected values {leaked}"


def test_the_answer_tests_words_stay_with_the_grader(source_nb, checks):
    from prankster import answers, secret, suspects
    for gid in ("answer_prankster_hidden", "answer_location_hidden"):
        test = split(notebook_cells.cells_by_id(source_nb)[gid].source, checks.provided)
        words = {w for name, _ in suspects.SUSPECTS for w in answers.name_words(name)}
        words |= {k.lower() for k in secret.ANSWER_KEYWORDS}
        assert not [w for w in words if w in test.kernel_code.lower()], gid


def reference_verdicts(nb, checks, answers=None):
    code = notebook_cells.reference_code(notebook_cells.read(SOURCE_NB))
    code.update(answers or {})
    namespace = notebook_cells.run_cells(nb, ["imports", "test_fixtures"], folder=EM.folder)
    for gid in FUNCTIONS + ANSWERS:
        try:
            exec(compile(code[gid], gid, "exec"), namespace)
        except NotImplementedError:
            pass
    return inprocess.grade_cells(nb, namespace, checks, [code[g] for g in FUNCTIONS + ANSWERS])


def test_the_reference_passes_every_test_cell_in_process(source_nb, checks):
    verdicts = reference_verdicts(source_nb, checks)
    assert len(verdicts) == len(graded_cells(source_nb))
    failed = {gid: v.message for gid, v in verdicts.items() if not v.passed}
    assert not failed, failed


def test_the_released_stubs_pass_no_test_cell(source_nb, release_nb, checks):
    stubs = {gid: notebook_cells.cells_by_id(release_nb)[gid].source for gid in FUNCTIONS + ANSWERS}
    verdicts = reference_verdicts(source_nb, checks, stubs)
    assert not [gid for gid, v in verdicts.items() if v.passed]
    assert {v.reason for v in verdicts.values()} == {"error"}


# --- splitting ------------------------------------------------------------------------------

def cell(*lines):
    return "\n".join(lines)


def test_split_hands_out_what_the_checks_read_and_the_cell_computes():
    test = split(cell("got = f(1)", "other = f(2)", BEGIN_CHECKS, "check_close(got, 1.0, 'f')",
                      END_CHECKS), provided={"check_close", "f"})
    assert test.handed_out == ("got",)
    assert "check_close" not in test.kernel_code and test.check_code == "check_close(got, 1.0, 'f')"


def test_split_keeps_hidden_checks_apart_and_in_order():
    test = split(cell("a = 1", BEGIN_CHECKS, "assert a == 1", END_CHECKS, BEGIN_HIDDEN, "b = 2",
                      BEGIN_CHECKS, "assert b == 2", END_CHECKS, END_HIDDEN))
    assert test.check_code == "assert a == 1\nassert b == 2"
    assert test.handed_out == ("a", "b")


def test_names_the_checks_bind_themselves_are_not_handed_out():
    test = split(cell("x = 1", BEGIN_CHECKS, "y = 2", "def g():", "    return x + y", "assert g() == 3",
                      END_CHECKS))
    assert test.handed_out == ("x",)


@pytest.mark.parametrize("source, rule", [
    (cell("x = 1", "  " + BEGIN_CHECKS, "assert x", END_CHECKS), "column 0"),
    (cell("x = 1", BEGIN_CHECKS, "assert x"), "without"),
    (cell("x = 1", END_CHECKS), "without its BEGIN"),
    (cell(BEGIN_CHECKS, BEGIN_HIDDEN, "assert 1", END_HIDDEN, END_CHECKS), "cross"),
    (cell("x = 1", "assert x == 1"), "assert outside"),
    (cell("x = 1", BEGIN_CHECKS, "assert y == 1", END_CHECKS), "read y"),
    (cell("for i in range(2):", BEGIN_CHECKS, "    assert i", END_CHECKS), "does not compile"),
])
def test_a_cell_that_breaks_a_rule_says_which(source, rule):
    with pytest.raises(AuthoringError, match=rule):
        split(source)


def test_regions_leave_the_hidden_markers_to_nbgrader():
    kernel, checks = regions(cell(BEGIN_HIDDEN, "x = 1", END_HIDDEN))
    assert kernel == [BEGIN_HIDDEN, "x = 1", END_HIDDEN] and checks == []


# --- the hand-in format ---------------------------------------------------------------------

def sent(values, token=TOKEN):
    """The JSON text the kernel's hand-out sends for ``values``."""
    return json.dumps({"token": token, "values": {k: handout.encode(v) for k, v in values.items()}})


@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, "text", np.float64(1.5), np.int32(7), np.bool_(True),
    np.arange(6.0).reshape(2, 3), np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    np.arange(12, dtype=np.uint8).reshape(3, 4)[:, ::2], np.array([True, False]), np.zeros((0, 3)),
    np.float32(2.0), np.array(5.0), [1, [2.0, np.ones(2)]], (np.ones(2), 3.0), {"a": 1, 2: (3, 4)},
])
def test_values_come_back_as_they_were_sent(value):
    back = decode(sent({"v": value}), TOKEN)["v"]

    def same(a, b):
        if isinstance(a, (np.ndarray, np.generic)):
            return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and (a == b).all()
        if isinstance(a, (list, tuple)):
            return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        if isinstance(a, dict):
            return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        return type(a) is type(b) and a == b

    assert same(value, back), (value, back)


class ArrayLike:
    """What a pandas frame or a tensor is to numpy: something with __array__."""

    def __array__(self, dtype=None, copy=None):
        return np.array([[1.0, 2.0]])


def test_anything_numpy_reads_as_an_array_is_sent_as_that_array():
    assert decode(sent({"m": ArrayLike()}), TOKEN)["m"].tolist() == [[1.0, 2.0]]


@pytest.mark.parametrize("value, what", [
    (np.array([object(), 1], dtype=object), "array of object"),
    ((x for x in range(3)), "generator"),
    (np.array([1 + 2j]), "complex"),
    (np.array(["a"]), "<U1"),
])
def test_what_is_not_data_is_sent_as_unsupported(value, what):
    back = decode(sent({"v": value}), TOKEN)["v"]
    assert isinstance(back, Unsupported) and what in back.what


def npy(array, allow_pickle=False, header=None):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    raw = buffer.getvalue()
    if header is not None:
        raw = raw.replace(b"'shape': (2,)", header)
    return base64.b64encode(raw).decode()


def raw_hand_in(node, token=TOKEN):
    return json.dumps({"token": token, "values": {"v": node}})


def nested(depth):
    node = 1
    for _ in range(depth):
        node = {"list": [node]}
    return node


@pytest.mark.parametrize("text, message", [
    (sent({"v": 1}, token="another"), "did not come from this test cell"),
    ("x" * 200, "not readable"),
    ("[" * 100_000, "not readable"),
    (raw_hand_in(nested(40)), "nested more than"),
    (raw_hand_in("s" * 20_000), "string of 20000 characters"),
    (raw_hand_in({"ndarray": npy(np.array([object()], dtype=object), allow_pickle=True)}), "only booleans"),
    (raw_hand_in({"ndarray": npy(np.array([1.0, 2.0]), header=b"'shape': (10**6,)")}), "not a valid .npy"),
    (raw_hand_in({"ndarray": npy(np.array([1.0, 2.0]), header=b"'shape': (200000,)")}), "claims 200000 values"),
    (raw_hand_in({"ndarray": "not base64!"}), "not valid base64"),
    (raw_hand_in({"ndarray": base64.b64encode(pickle.dumps([1, 2])).decode()}), "not a valid .npy"),
    (raw_hand_in({"code": "import os"}), "unknown kind"),
    (raw_hand_in({"list": list(range(200_000))}), "more than 100000 items"),
    (raw_hand_in({"dict": [[{"list": [1]}, 2]]}), "not hashable"),
    (json.dumps({"token": TOKEN, "values": [1]}), "not a set of named values"),
    (json.dumps({"token": TOKEN, "values": {"v": 1e400}}).replace("Infinity", "1" + "0" * 5000), "not readable"),
])
def test_a_hand_in_the_grader_will_not_read_says_why(text, message):
    with pytest.raises(BadHandIn, match=message):
        decode(text, TOKEN)


def test_a_hand_in_larger_than_the_limit_is_refused_before_it_is_parsed():
    with pytest.raises(BadHandIn, match="more than the 1 MiB"):
        decode(sent({"v": np.zeros(200_000)}), TOKEN, Limits(max_bytes=2**20))


def test_nan_arrives_as_nan_and_fails_the_check(checks):
    test = split(cell("got = f()", BEGIN_CHECKS, "check_close(got, [1.0, 2.0], 'f()')", END_CHECKS),
                 checks.provided)
    verdict = checks.judge(test, [sent({"got": np.array([np.nan, 2.0])})], TOKEN, {})
    assert not verdict.passed and "nan or inf values: [nan, 2.0]" in verdict.message


# --- verdicts -------------------------------------------------------------------------------

@pytest.fixture
def simple(checks):
    return split(cell("got = f()", BEGIN_CHECKS, "check_close(got, [1.0, 2.0], 'f()')", END_CHECKS),
                 checks.provided)


def test_the_right_values_pass(checks, simple):
    assert checks.judge(simple, [sent({"got": [1.0, 2.0]})], TOKEN, {}).passed


def test_wrong_values_fail_with_the_checks_message(checks, simple):
    verdict = checks.judge(simple, [sent({"got": [1.0, 3.0]})], TOKEN, {})
    assert (verdict.passed, verdict.reason) == (False, "wrong") and "f() is wrong" in verdict.message


def test_no_hand_in_fails_with_the_kernels_error_if_there_was_one(checks, simple):
    verdict = checks.judge(simple, [], TOKEN, {}, kernel_error=("NotImplementedError", ""))
    assert (verdict.reason, verdict.message, verdict.ename) == ("error", "NotImplementedError",
                                                                "NotImplementedError")
    verdict = checks.judge(simple, [], TOKEN, {})
    assert verdict.reason == "no results" and "handed no results" in verdict.message


def test_a_hand_in_twice_is_not_credited(checks, simple):
    verdict = checks.judge(simple, [sent({"got": [1.0, 2.0]})] * 2, TOKEN, {})
    assert not verdict.passed and "2 times" in verdict.message


def test_a_hand_in_without_a_name_the_checks_need_fails(checks, simple):
    verdict = checks.judge(simple, [sent({"other": [1.0, 2.0]})], TOKEN, {})
    assert not verdict.passed and "lack got" in verdict.message


def test_values_the_checks_cannot_use_fail_with_an_error(checks):
    test = split(cell("got = f()", BEGIN_CHECKS, "F, B = got", "assert F == 1", END_CHECKS), checks.provided)
    verdict = checks.judge(test, [sent({"got": 3})], TOKEN, {})
    assert (verdict.passed, verdict.reason) == (False, "error") and "TypeError" in verdict.message


def test_each_verdict_starts_from_a_fresh_namespace(checks):
    test = split(cell("got = f()", BEGIN_CHECKS, "assert 'leak' not in dir()", "leak = 1", END_CHECKS),
                 checks.provided)
    assert checks.judge(test, [sent({"got": 1})], TOKEN, {}).passed
    assert checks.judge(test, [sent({"got": 1})], TOKEN, {}).passed


# --- the functions' source, for the loop limits ---------------------------------------------

def test_the_last_definition_before_the_test_counts():
    found = functions_in(["def f():\n    return 1\n", "%matplotlib inline\ndef f(x):\n    return [y for y in x]\n"],
                         ["f"])
    assert found["f"].source.startswith("def f(x):") and "for y in x" in found["f"].source


def test_a_function_bound_otherwise_or_not_at_all_says_so():
    found = functions_in(["def f():\n    pass\nf = print\n", "this is not python"], ["f", "g"])
    assert found["f"].source is None and "not defined with `def`" in found["f"].missing
    assert "g is not defined" in found["g"].missing
