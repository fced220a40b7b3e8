"""prankster/secret.py is the one place the answers are set; `make secret` spreads them.

The answer cells and hidden answer tests of the source notebook must agree with secret.py,
and a changed secret must rewrite them so that the new answers pass and the old ones fail.
"""
import copy
import re
import subprocess

import pytest

from support import ANSWERS, EM, FUNCTIONS, ROOT, SOURCE_NB
from coursetools import notebook_cells
from grading.verdicts import inprocess
from prankster import answers, secret, suspects

em_grading = EM.checks()
CHECKS = inprocess.checks_for(EM.checks_path, FUNCTIONS + ANSWERS)


def run(source, **variables):
    namespace = dict(variables)
    exec(compile(source, "answer cell", "exec"), namespace)
    return namespace


def reference_answers(nb):
    cells = notebook_cells.cells_by_id(nb)
    prankster = run(notebook_cells.without_markers(cells["answer_prankster"].source))["PRANKSTER"]
    location = run(notebook_cells.without_markers(cells["answer_location"].source))["GAMES_LOCATION"]
    return prankster, location


def passes(nb, gid, **answer):
    """Does the answer pass the hidden answer test, graded as grading does (split, hand-in,
    checks outside the namespace the answer lives in)?"""
    verdict = inprocess.run_test_cell(notebook_cells.cells_by_id(nb)[gid].source,
                                      {"em_grading": em_grading, **answer}, CHECKS, {}, gid)
    return verdict.passed


def check_answer_cells(nb, prankster, message, keywords):
    """The notebook's answers are these, its hidden tests take them and no other suspect."""
    said_prankster, said_location = reference_answers(nb)
    assert said_prankster == prankster
    assert said_location == " ".join(message).lower()
    assert passes(nb, "answer_prankster_hidden", PRANKSTER=prankster)
    assert passes(nb, "answer_prankster_hidden", PRANKSTER=prankster.upper())
    for name, _ in suspects.SUSPECTS:
        if name != prankster:
            assert not passes(nb, "answer_prankster_hidden", PRANKSTER=name), name
            assert not passes(nb, "answer_prankster_hidden", PRANKSTER=f"{prankster} or {name}")
    assert passes(nb, "answer_location_hidden", GAMES_LOCATION=said_location)
    assert passes(nb, "answer_location_hidden", GAMES_LOCATION=" ".join(keywords).upper())
    assert not passes(nb, "answer_location_hidden", GAMES_LOCATION="somewhere in the house")
    check_matching_as_the_notebook_says(nb, prankster, " ".join(message))


def check_matching_as_the_notebook_says(nb, prankster, placard):
    """The notebook's answer text promises that letter case, extra spaces, punctuation and extra
    words do not matter: each of these forms is accepted."""
    first, last = prankster.split(" ", 1)
    for said in (prankster.lower(), prankster.upper(), f"  {first}   {last} ",
                 f"it was {prankster}!", f"The prankster is {prankster.upper()}."):
        assert passes(nb, "answer_prankster_hidden", PRANKSTER=said), said
    for said in (placard, placard.lower(), f"  {placard.lower()}  ", f"The games are {placard}.",
                 f"the games are {placard.title()}!"):
        assert passes(nb, "answer_location_hidden", GAMES_LOCATION=said), said


def test_source_answer_cells_agree_with_secret(source_nb):
    check_answer_cells(source_nb, secret.PRANKSTER, secret.MESSAGE, secret.ANSWER_KEYWORDS)
    assert answers.main(["--check", "--notebook", str(SOURCE_NB)]) == 0


def test_a_changed_secret_rewrites_the_answer_cells(source_nb, monkeypatch):
    innocent = next(name for name, _ in suspects.SUSPECTS if name != secret.PRANKSTER)
    old_prankster, old_location = reference_answers(source_nb)
    monkeypatch.setattr(secret, "PRANKSTER", innocent)
    monkeypatch.setattr(secret, "MESSAGE", ("BEHIND THE", "PIANO"))
    monkeypatch.setattr(secret, "ANSWER_KEYWORDS", ("piano",))
    nb = copy.deepcopy(source_nb)
    changed = answers.rewrite(nb)
    assert set(changed) == {"answer_prankster", "answer_prankster_hidden", "answer_location",
                            "answer_location_hidden"}
    check_answer_cells(nb, innocent, ("BEHIND THE", "PIANO"), ("piano",))
    assert not passes(nb, "answer_prankster_hidden", PRANKSTER=old_prankster)
    assert not passes(nb, "answer_location_hidden", GAMES_LOCATION=old_location)
    assert answers.rewrite(nb) == []  # a second run changes nothing


@pytest.mark.parametrize("change", [{"PRANKSTER": "Nobody Atall"},
                                    {"ANSWER_KEYWORDS": ("piano",)}])
def test_a_secret_that_does_not_fit_is_refused(source_nb, monkeypatch, change):
    for name, value in change.items():
        monkeypatch.setattr(secret, name, value)
    with pytest.raises(ValueError):
        answers.rewrite(copy.deepcopy(source_nb))


def test_pin_writes_the_data_checksum(tmp_path):
    data = tmp_path / "data.npy"
    data.write_bytes(b"some bytes")
    test_file = tmp_path / "test_pinned.py"
    test_file.write_text('import x\nDATA_SHA256 = "00ff"\nOTHER = 1\n')
    digest = answers.pin(test_file, data)
    assert test_file.read_text() == f'import x\nDATA_SHA256 = "{digest}"\nOTHER = 1\n'
    assert len(digest) == 64


def test_make_secret_runs_every_step():
    dry = subprocess.run(["make", "-n", "secret"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    steps = ["-m prankster.answers\n", "nbgrader generate_assignment", "nbgrader generate_solution",
             "-m demo.make_submissions", "-m prankster.answers --pin tests/test_data.py"]
    positions = [dry.find(step) for step in steps]
    assert all(p >= 0 for p in positions), dict(zip(steps, positions))
    assert positions == sorted(positions), "make secret runs its steps out of order"


def lineup_alt(nb):
    """The alt text of the notebook's lineup image (markdown's ``![alt](lineup.png)``)."""
    found = [m for c in nb.cells if c.cell_type == "markdown"
             for m in re.findall(r"!\[([^\]\n]*)\]\(lineup\.png\)", c.source)]
    assert len(found) == 1, found
    return found[0]


def test_the_lineup_image_describes_every_suspect(source_nb):
    alt = lineup_alt(source_nb)
    for name, _ in suspects.SUSPECTS:
        assert suspects.describe(name) in alt, name
    assert "fringe on the left, eyepatch over the left eye" in suspects.describe("Barnaby Quill")


def test_changed_suspects_rewrite_the_lineups_description(source_nb, monkeypatch):
    features = dict(suspects.FEATURES)
    features["Otto Brisk"] = (1, -1, 1, 4, -1, -1)  # his fringe moved to the right
    monkeypatch.setattr(suspects, "FEATURES", features)
    nb = copy.deepcopy(source_nb)
    assert answers.rewrite(nb) == ["lineup"]
    assert "Otto Brisk: fringe on the right" in lineup_alt(nb)
    assert answers.rewrite(nb) == []
