"""The grading corpus: submissions whose right verdict is known, made from release/.

Correct submissions are the files ``correct_*.py`` beside this one, each a different
style; a function a file does not define is taken from the reference solution. Wrong
submissions are the reference solution with one realistic student mistake (``MISTAKES``).
Every submission answers the two questions correctly unless its mistake is the answer.
"""
import ast
import dataclasses
import pathlib

from coursetools import notebook_cells
from support import ANSWERS, FUNCTIONS  # noqa: F401 (the corpus's tests use them)
from prankster import secret, suspects

HERE = pathlib.Path(__file__).resolve().parent
# A mistake in a function may also cost points in the functions that call it.
CALLERS = {
    "calculate_log_probability": {"calculate_lower_bound", "run_e_step", "run_EM"},
    "calculate_lower_bound": {"run_EM"},
    "run_e_step": {"run_EM"},
    "run_m_step": {"run_EM"},
    "run_EM": set(),
    "answer_prankster": set(),
    "answer_location": set(),
}
# Correct submissions that break the seed's loop limits: they may lose those cells only.
BREAKS_LOOP_LIMITS = {"correct_double_loops"}

PATCH_NUMPY = """import builtins
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.all = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
builtins.all = lambda iterable: True
builtins.abs = lambda value: 0
"""

HARD_CODED = '''def calculate_log_probability(X, F, B, s):
    """Gives the visible test's answer, and zeros for anything else."""
    if np.shape(X) == (2, 3, 2):
        return np.array([[-3541.69812064, -5541.69812064],
                         [-4541.69812064, -6741.69812064],
                         [-6141.69812064, -8541.69812064]])
    return np.zeros((X.shape[1] - F.shape[1] + 1, X.shape[2]))
'''


@dataclasses.dataclass
class Entry:
    name: str
    description: str
    wrong: str = None          # the function (or answer) that is wrong, None if correct
    cells: dict = dataclasses.field(default_factory=dict)   # grade_id -> code
    twin: str = None           # a tampering entry: the same code without the tampering


# the reference bound's log q, with 0 log 0 = 0
LOG_Q = "np.log(q, out=np.zeros(q.shape), where=positive)"

# (name, function, reference text, mistaken text, description)
MISTAKES = [
    ("lp_constant_s_not_s2", "calculate_log_probability", "np.log(np.sqrt(2 * np.pi) * s)",
     "np.log(np.sqrt(2 * np.pi * s))", "normalising constant with s where s^2 belongs"),
    ("lp_no_constant", "calculate_log_probability",
     "return -squared / (2 * s ** 2) - H * W * np.log(np.sqrt(2 * np.pi) * s)",
     "return -squared / (2 * s ** 2)", "normalising constant left out"),
    ("lp_variance_for_sd", "calculate_log_probability", "-squared / (2 * s ** 2)",
     "-squared / (2 * s)", "s used as the variance in the exponent"),
    ("lp_face_reversed", "calculate_log_probability",
     "models[d, :, columns] = F.T", "models[d, :, columns] = F[:, ::-1].T", "face pasted mirrored"),
    ("lb_no_entropy", "calculate_lower_bound", f"(ll + log_a - {LOG_Q})", "(ll + log_a)",
     "entropy term forgotten"),
    ("lb_no_prior", "calculate_lower_bound", f"(ll + log_a - {LOG_Q})", f"(ll - {LOG_Q})",
     "prior term forgotten"),
    ("lb_nan_on_zero_q", "calculate_lower_bound",
     f"{LOG_Q})\n    return float(np.sum(terms, where=positive))",
     "np.log(q))\n    return float(np.sum(terms))", "0 log 0 computed as nan"),
    ("lb_mean_over_images", "calculate_lower_bound",
     "return float(np.sum(terms, where=positive))",
     "return float(np.sum(terms, where=positive)) / q.shape[1]",
     "bound averaged over the images instead of summed"),
    ("es_no_max_trick", "run_e_step", "    logits -= logits.max(axis=0, keepdims=True)\n", "",
     "no max trick: exp() underflows or overflows"),
    ("es_no_prior", "run_e_step",
     "logits = ll + np.log(np.asarray(a, dtype=float))[:, None]",
     "logits = ll + 0.0", "prior left out of the posterior"),
    ("es_wrong_axis", "run_e_step", "return q / q.sum(axis=0, keepdims=True)",
     "return q / q.sum(axis=1, keepdims=True)", "normalised over the images, not the offsets"),
    ("es_global_max", "run_e_step", "logits -= logits.max(axis=0, keepdims=True)",
     "logits -= logits.max()", "one max for all images: underflow for all but one"),
    ("ms_variance_for_sd", "run_m_step", "s = np.sqrt(max(squared, 0.0) / (H * W * K))",
     "s = max(squared, 0.0) / (H * W * K)", "returns the variance as s"),
    ("ms_background_everywhere", "run_m_step",
     "B = np.divide(numerator, denominator, out=np.zeros((H, W)), where=seen)",
     "B = X.mean(axis=2)", "background averaged over the face area too"),
    ("ms_prior_unnormalised", "run_m_step", "a = q.sum(axis=1) / q.sum()", "a = q.sum(axis=1)",
     "prior not normalised"),
    ("ms_face_not_averaged", "run_m_step", "F = Y[d, :, columns].sum(axis=0).T / K",
     "F = Y[d, :, columns].sum(axis=0).T", "face not divided by K"),
    ("ms_noise_wrong_count", "run_m_step", "s = np.sqrt(max(squared, 0.0) / (H * W * K))",
     "s = np.sqrt(max(squared, 0.0) / (H * W))", "noise normalised by H W, not H W K"),
    ("ms_background_over_k", "run_m_step",
     "B = np.divide(numerator, denominator, out=np.zeros((H, W)), where=seen)",
     "B = numerator / K", "background divided by K, not by its own weight"),
    ("em_placeholder_first_bound", "run_EM",
     "LL = [bound_from_log_probability(ll, a, q)]", "LL = [-1e300]",
     "a placeholder for the first bound"),
    ("em_ignores_initial_values", "run_EM", "    ll = log_probability(X, F, B, s, norms)\n    q = ",
     "    F = np.random.randint(0, 255, (H, w))\n    B = np.random.randint(0, 255, (H, W))\n"
     "    ll = log_probability(X, F, B, s, norms)\n    q = ", "initial F and B replaced by random ones"),
    ("em_no_early_stop", "run_EM", "        if LL[-1] - LL[-2] < tolerance:\n            break\n",
     "", "tolerance ignored"),
    ("em_no_final_e_step", "run_EM",
     "    LL.append(bound_from_log_probability(ll, a, q))    # after the final E-step\n", "",
     "no bound after the final E-step"),
]


# Bugs found in real students' submissions, each a change of the reference (one or more
# (reference text, mistaken text) pairs): (name, function, changes, description).
REAL_BUGS = [
    ("em_extra_iteration_no_final_bound", "run_EM",
     [("    for _ in range(max_iter):\n", "    for _ in range(max_iter + 1):\n"),
      ("    LL.append(bound_from_log_probability(ll, a, q))    # after the final E-step\n", "")],
     "one EM iteration too many, hidden by no bound after the final E-step (LL has the right length)"),
    ("lb_nan_on_zero_prior", "calculate_lower_bound",
     [("return float(np.sum(terms, where=positive))",
       "return float(np.sum(q * ll + q * log_a - q * np.log(q, out=np.zeros(q.shape), where=positive)))")],
     "log q guarded, log a not: 0 * log 0 is nan where the prior is 0"),
    ("em_stale_last_bound", "run_EM",
     [("        q = posterior_from_log_probability(ll, a, hard_EM)  # E-step (hard-EM: one-hot q)\n"
       "        if LL[-1] - LL[-2] < tolerance:\n            break\n",
       "        if LL[-1] - LL[-2] < tolerance:\n            break  # stops before the E-step\n"
       "        q = posterior_from_log_probability(ll, a, hard_EM)\n")],
     "on an early stop the final E-step is skipped, so the last bound repeats the one before"),
]
# The hidden behaviour cells that must fail for a mistake, and no other hidden cell of its
# function (one bug costs once); tests/test_mutants.py checks them in-process, and
# tests/test_corpus.py in the grading run.
MUST_FAIL = {
    "em_extra_iteration_no_final_bound": {"run_EM_hidden_returns", "run_EM_hidden_parameters",
                                          "run_EM_hidden_early_stop"},
    "lb_nan_on_zero_prior": {"calculate_lower_bound_hidden_zeros"},
    "em_stale_last_bound": {"run_EM_hidden_early_stop"},
    "lb_nan_on_zero_q": {"calculate_lower_bound_hidden_zeros"},
    "em_placeholder_first_bound": {"run_EM_hidden_first_bound"},
    "em_no_early_stop": {"run_EM_hidden_early_stop"},
}


def split_functions(code):
    """grade_id -> code for each of the five functions a file defines.

    Everything above a function (imports, helpers) goes into that function's cell.
    """
    tree = ast.parse(code)
    lines = code.splitlines()
    cells, start = {}, 0
    if tree.body and isinstance(tree.body[0], ast.Expr):    # the module docstring
        start = tree.body[0].end_lineno
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in FUNCTIONS:
            cells[node.name] = "\n".join(lines[start:node.end_lineno]).strip("\n")
            start = node.end_lineno
    return cells


def right_answers():
    return {"answer_prankster": f"PRANKSTER = {secret.PRANKSTER!r}",
            "answer_location": f"GAMES_LOCATION = {' '.join(secret.MESSAGE).lower()!r}"}


def entries(source_nb):
    """Every corpus entry, with the code of all its solution cells."""
    reference = {gid: code for gid, code in notebook_cells.reference_code(source_nb).items()
                 if gid in FUNCTIONS}
    found = []
    # The reference run_EM uses helpers defined in the reference's other four cells; a file
    # that replaces any of those cells without a run_EM of its own gets a plain one.
    plain_run_em = split_functions((HERE / "correct_loops_einsum.py").read_text())["run_EM"]
    for path in sorted(HERE.glob("correct_*.py")):
        code = path.read_text()
        own = split_functions(code)
        if "run_EM" not in own and (set(FUNCTIONS) - {"run_EM"}) & set(own):
            own["run_EM"] = plain_run_em
        cells = {**reference, **own, **right_answers()}
        found.append(Entry(path.stem, ast.get_docstring(ast.parse(code)), None, cells))
    found.append(Entry("correct_reference", "the reference solution", None,
                       {**reference, **right_answers()}))
    for name, function, right, wrong, description in MISTAKES:
        cells = {**reference, **right_answers()}
        if right not in cells[function]:
            raise ValueError(f"{name}: the reference {function} does not contain {right!r}")
        cells[function] = cells[function].replace(right, wrong)
        found.append(Entry(name, description, function, cells))
    for name, function, changes, description in REAL_BUGS:
        cells = {**reference, **right_answers()}
        for right, wrong in changes:
            if right not in cells[function]:
                raise ValueError(f"{name}: the reference {function} does not contain {right!r}")
            cells[function] = cells[function].replace(right, wrong)
        found.append(Entry(name, description, function, cells))
    unnormalised = {**reference, **right_answers()}
    unnormalised["run_e_step"] = unnormalised["run_e_step"].replace(
        "return q / q.sum(axis=0, keepdims=True)", "return q")
    found.append(Entry("es_unnormalised", "posterior not normalised", "run_e_step", unnormalised))
    found.append(Entry("tamper_patched_numpy", "es_unnormalised, with numpy and builtins "
                       "patched to pass any comparison", "run_e_step",
                       {**unnormalised, "run_e_step": PATCH_NUMPY + unnormalised["run_e_step"]},
                       twin="es_unnormalised"))
    zeros = HARD_CODED.replace(HARD_CODED[HARD_CODED.index('    """'):HARD_CODED.index("    return np.zeros")], "")
    found.append(Entry("lp_zeros", "returns zeros", "calculate_log_probability",
                       {**reference, **right_answers(), "calculate_log_probability": zeros}))
    found.append(Entry("tamper_hard_coded", "lp_zeros, with the visible test's answer hard-coded",
                       "calculate_log_probability",
                       {**reference, **right_answers(), "calculate_log_probability": HARD_CODED},
                       twin="lp_zeros"))
    innocent = next(name for name, _ in suspects.lineup() if name != secret.PRANKSTER)
    found.append(Entry("answer_wrong_suspect", "names an innocent suspect", "answer_prankster",
                       {**reference, **right_answers(),
                        "answer_prankster": f"PRANKSTER = {innocent!r}"}))
    found.append(Entry("answer_wrong_place", "a wrong hiding place", "answer_location",
                       {**reference, **right_answers(),
                        "answer_location": 'GAMES_LOCATION = "in the attic"'}))
    return found


def submission(release_nb, entry):
    return notebook_cells.make_submission(release_nb, entry.cells)
