"""The mutation run's tool (tests/mutants.py) on mutants whose outcome is known, in seconds.

The full run is ``make mutants`` (every mutant, a couple of minutes; its result is in
docs/hidden-tests.md). Here: the mutants are made as described; a handful of them grade as they must (a
real student's bug killed in exactly its behaviour cell, an equivalent one unchanged, a free
choice passed, code only run_EM reaches charged to run_EM); the corpus's real-student bugs
fail exactly the behaviour cells they must, and no other of their function (one bug costs
once); what the tool lists by hand still exists; a mutant that never returns is stopped. One
slow test grades a sample through the real grading run and compares verdicts cell by cell.
"""
import signal

import pytest

import corpus
import mutants
from support import FUNCTIONS, SOURCE_NB
from coursetools import notebook_cells
@pytest.fixture(scope="module")
def all_mutants():
    return mutants.all_mutants()


@pytest.fixture(scope="module")
def grader():
    return mutants.Grader()


@pytest.fixture(scope="module")
def reached(grader):
    return grader.reached()


def by_key(all_mutants, key):
    found = [m for m in all_mutants if m.key == key]
    assert len(found) == 1, key
    return found[0]


def graded(grader, reached, mutant):
    return mutants.outcome(mutant, grader.grade({mutant.cell: mutant.code}), grader.test_cells, reached)


def test_several_hundred_mutants_of_every_kind_in_every_function(all_mutants):
    assert len(all_mutants) >= 500
    assert {m.operator for m in all_mutants} == set(mutants.OPERATORS)
    assert {m.cell for m in all_mutants} == set(FUNCTIONS)
    assert len({m.key for m in all_mutants}) == len({m.id for m in all_mutants}) == len(all_mutants)
    reference = notebook_cells.reference_code(notebook_cells.read(SOURCE_NB))
    assert all(m.code != reference[m.cell] for m in all_mutants)


def test_what_is_listed_by_hand_is_still_made(all_mutants):
    keys = {m.key for m in all_mutants}
    listed = [*mutants.EQUIVALENT, *mutants.CHARGED, *mutants.SEVERAL]
    assert listed and not [key for key in listed if key not in keys]


def test_the_reference_passes_every_cell_with_its_own_hand_outs(grader):
    result = grader.grade({})
    assert all(passed for passed, _, _ in result["verdicts"].values())
    assert all(d == (0.0, 0.0) for d in result["differs"].values())


# (key, status, the behaviour cells of its function that must fail)
KNOWN = [
    ("run_EM: q = posterior_from_log_probability(ll, a, hard_EM) | order: "
     "q = posterior_from_log_probability(ll, a, hard_EM) -> if LL[-1] - LL[-2] < tolerance: break",
     "killed", {"run_EM_hidden_early_stop"}),   # on an early stop, a stale last bound
    ("run_EM: for _ in range(max_iter): | range: range(max_iter) -> range(max_iter + 1)",
     "killed", {"run_EM_hidden_returns", "run_EM_hidden_bound_values", "run_EM_hidden_monotone",
                "run_EM_hidden_early_stop", "run_EM_hidden_parameters"}),
    ("calculate_lower_bound: positive = q > 0 | comparison: q > 0 -> q >= 0",
     "killed", {"calculate_lower_bound_hidden_zeros"}),   # 0 log 0 as nan
    ("run_m_step: seen = denominator > 0 | comparison: denominator > 0 -> denominator >= 0",
     "killed", {"run_m_step_hidden_background"}),   # nan where no image shows the background
    ("run_e_step: logits -= logits.max(axis=0, keepdims=True) | keyword: "
     "logits.max(axis=0, keepdims=True) -> logits.max(axis=0)", "equivalent", set()),
    ("run_EM: B = np.random.randint(0, 255, (H, W)) | constant: 255 -> 256", "equivalent", set()),
    ("run_m_step: moved = np.flatnonzero(chosen != before) | comparison: chosen != before -> chosen == before",
     "killed (bonus only)", set()),   # run_EM's incremental hard-EM sums
]


@pytest.mark.parametrize("key, status, behaviour", KNOWN, ids=[k[0].split(" | ")[-1][:50] for k in KNOWN])
def test_mutants_of_known_outcome(all_mutants, grader, reached, key, status, behaviour):
    got = graded(grader, reached, by_key(all_mutants, key))
    assert (got.status, set(got.behaviour)) == (status, behaviour), (got.failed, got.differs)


def test_an_equivalent_mutant_hands_out_what_the_reference_does_and_a_free_choice_does_not(
        all_mutants, grader, reached):
    same = graded(grader, reached, by_key(all_mutants, KNOWN[4][0]))
    free = graded(grader, reached, by_key(all_mutants, KNOWN[5][0]))
    assert not same.differs and free.differs and not free.failed


def test_code_only_run_em_reaches_is_charged_to_run_em(all_mutants, reached):
    assert mutants.charged_to(by_key(all_mutants, KNOWN[6][0]), reached) == ["run_EM"]
    assert mutants.charged_to(by_key(all_mutants, KNOWN[3][0]), reached) == ["run_m_step"]


@pytest.mark.parametrize("name", sorted(corpus.MUST_FAIL))
def test_a_real_bug_fails_exactly_its_behaviour_cells(source_nb, grader, name):
    entry = next(e for e in corpus.entries(source_nb) if e.name == name)
    result = grader.grade({gid: entry.cells[gid] for gid in FUNCTIONS})
    failed = {gid for gid, (passed, _, _) in result["verdicts"].items()
              if not passed and gid.startswith(entry.wrong + "_hidden_")}
    assert failed == corpus.MUST_FAIL[name]


def test_a_cell_that_runs_past_its_limit_fails_as_a_timeout():
    slow = mutants.Grader(cell_seconds=0.5)
    forever = "def calculate_log_probability(X, F, B, s):\n    while True:\n        pass\n"
    result = slow.grade({"calculate_log_probability": forever}, only={"calculate_log_probability_visible"})
    assert result["verdicts"]["calculate_log_probability_visible"][:2] == (False, "timeout")


def test_a_mutant_that_blocks_the_alarm_and_never_returns_is_stopped(all_mutants):
    hangs = mutants.Mutant("run_EM#hang", "run_EM", "run_EM", "statement", 1, "", "", (
        "import signal\n\ndef run_EM(*args, **kwargs):\n"
        f"    signal.pthread_sigmask(signal.SIG_BLOCK, {{signal.{signal.SIGALRM.name}}})\n"
        "    while True:\n        pass\n"))
    pool = mutants.Pool(1, mutant_seconds=2)
    try:
        results = pool.run([hangs, all_mutants[0]])
    finally:
        pool.close()
    assert "hang" in results["run_EM#hang"]
    assert "verdicts" in results[all_mutants[0].id]   # the replaced worker grades the next one


@pytest.mark.slow
def test_the_grading_run_gives_the_in_process_verdicts(all_mutants, grader, tmp_path):
    """One mutant of each function and the stale last bound, through `python -m grading.run`
    (sandboxed): every test cell's verdict is the one graded in-process."""
    chosen = mutants.sample(all_mutants, 1) + [by_key(all_mutants, KNOWN[0][0])]
    in_process = {m.id: grader.grade({m.cell: m.code}) for m in chosen}
    compared, differ = mutants.agreement(in_process, mutants.grading_run(chosen, keep=tmp_path))
    assert compared == len(chosen) * len(grader.test_cells) and not differ, differ
