"""Grade the whole corpus with the course's grading run and check every verdict.

The run is `python -m grading.run` with two workers, each running the real `nbgrader
autograde` on its share (tests/test_grading.py checks that this gives nbgrader's own grades).

Correct submissions, in any style, get full marks (the slow double-loop one may lose
only the loop-limit cells). Each wrong submission loses points in the function that is
wrong, may lose in the functions that call it, and keeps full marks everywhere else; the
real students' bugs lose exactly the behaviour cells ``corpus.MUST_FAIL`` names.
"""
import json
import subprocess
import sys

import pytest
from nbgrader.api import Gradebook

import corpus
from grading.run import gradebook as gradebooks
from grading.steps import scan
from grading.steps.rebuild import RebuildNotebook, grade_id
from support import ASSIGNMENT, EM, NOTEBOOK, REPORTS, ROOT, SOURCE_NB, grading_run, nbgrader, new_course
from coursetools import notebook_cells
pytestmark = pytest.mark.slow  # `make check` leaves it out (pytest.ini)

PARTS = corpus.FUNCTIONS + corpus.ANSWERS
SOURCE = notebook_cells.read(SOURCE_NB)


@pytest.fixture(scope="module")
def graded_corpus(tmp_path_factory, source_nb):
    course = new_course(tmp_path_factory.mktemp("corpus"))
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = notebook_cells.read(course / "release" / ASSIGNMENT / NOTEBOOK)
    entries = corpus.entries(source_nb)
    for entry in entries:
        path = course / "submitted" / entry.name / ASSIGNMENT / NOTEBOOK
        path.parent.mkdir(parents=True)
        notebook_cells.write(corpus.submission(release, entry), path)
    grading_run(course, "--workers", "2")
    results = {}
    with Gradebook(gradebooks.url(course)) as gb:
        for entry in entries:
            nb = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, entry.name)
            per_part = {p: [0.0, 0.0] for p in PARTS}
            lost = {}
            for grade in nb.grades:  # auto_score: the hard-EM bonus is not part of a verdict
                score = grade.auto_score or 0.0
                per_part[EM.section_of(grade.name)][0] += score
                per_part[EM.section_of(grade.name)][1] += grade.max_score
                if score < grade.max_score:
                    lost[grade.name] = score
            results[entry.name] = (entry, per_part, lost)
    return results


def seed_visible_verdict(entry):
    """Would the 2018 notebook's five visible tests have let this submission through?"""
    code = [entry.cells[f] for f in corpus.FUNCTIONS]
    proc = subprocess.run([sys.executable, str(corpus.HERE / "seed_visible.py")],
                          input=json.dumps(code), capture_output=True, text=True, timeout=120)
    return all(json.loads(proc.stdout))


def test_corpus_is_large_enough(source_nb):
    entries = corpus.entries(source_nb)
    assert sum(e.wrong is None for e in entries) >= 5
    assert sum(e.wrong is not None for e in entries) >= 20
    assert len({e.name for e in entries}) == len(entries)


SCAN_CONTEXT = RebuildNotebook.scan_context(SOURCE, {grade_id(c): c.source for c in SOURCE.cells
                                                     if grade_id(c)})


def flagged_from(entry):
    """The first part whose code grading/steps/scan.py flags, or None."""
    return next((p for p in PARTS if scan.findings(entry.cells.get(p, ""), *SCAN_CONTEXT)), None)


def test_every_verdict(graded_corpus):
    problems = []
    for name, (entry, per_part, lost) in graded_corpus.items():
        if entry.wrong is None:
            allowed = {g for g in lost if g.endswith("_loops")} if name in corpus.BREAKS_LOOP_LIMITS else set()
            if set(lost) - allowed:
                problems.append(f"{name} (correct) lost {sorted(set(lost) - allowed)}")
            continue
        score, top = per_part[entry.wrong]
        if score >= top:
            problems.append(f"{name}: full marks in {entry.wrong}, which is wrong")
        may_lose = {entry.wrong} | corpus.CALLERS[entry.wrong]
        flagged = flagged_from(entry)
        if flagged:  # tampering that grading/steps/scan.py flags: held for review from there on
            may_lose |= set(PARTS[PARTS.index(flagged):])
        for part, (score, top) in per_part.items():
            if part not in may_lose and score < top:
                problems.append(f"{name}: lost points in {part}, which is right "
                                f"({sorted(g for g in lost if EM.section_of(g) == part)})")
    assert not problems, "\n".join(problems)


def test_real_bugs_fail_exactly_their_behaviour_cells(graded_corpus):
    """The students' bugs that tests/corpus/__init__.py names in MUST_FAIL lose points in
    those hidden cells of their function and in no other hidden cell of it."""
    for name, cells in corpus.MUST_FAIL.items():
        entry, _, lost = graded_corpus[name]
        assert {g for g in lost if g.startswith(entry.wrong + "_hidden_")} == cells, (name, sorted(lost))


def test_tampering_gains_nothing(graded_corpus):
    """A tampering submission scores no more, anywhere, than the same code without it."""
    twins = [(e, per_part) for e, per_part, _ in graded_corpus.values() if e.twin]
    assert len(twins) >= 2
    for entry, per_part in twins:
        honest = graded_corpus[entry.twin][1]
        for part, (score, _) in per_part.items():
            assert score <= honest[part][0], (entry.name, part, score, honest[part][0])


def test_report(graded_corpus):
    """The table for the closing note: score per function, and the seed's visible verdict."""
    header = "| submission | wrong | " + " | ".join(PARTS) + " | total | seed's visible tests |"
    rows = [header, "|" + " --- |" * (len(PARTS) + 4)]
    let_through = 0
    for name, (entry, per_part, _) in graded_corpus.items():
        passes = seed_visible_verdict(entry)
        if entry.wrong is not None and passes:
            let_through += 1
        total = sum(s for s, _ in per_part.values())
        cells = " | ".join(f"{s:g}/{m:g}" for s, m in per_part.values())
        rows.append(f"| {name} | {entry.wrong or '-'} | {cells} | {total:g} | "
                    f"{'pass' if passes else 'fail'} |")
    wrong = sum(e.wrong is not None for e, _, _ in graded_corpus.values())
    rows.append(f"\n{let_through} of {wrong} wrong submissions pass the seed's five visible tests; "
                f"every one of them loses points in the hidden tests.")
    report = "\n".join(rows)
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "grading_corpus.md").write_text(report + "\n")
    REPORTS.append(("grading corpus (build/grading_corpus.md)", report))
    assert let_through > 0
