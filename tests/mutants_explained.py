"""The mutants of tests/mutants.py that are not bugs, each with the reason (``EQUIVALENT``), and
the few whose change only another function reaches (``CHARGED``).

A mutant is listed here only with an argument that it computes what the reference computes for
every input the task passes (numpy arrays of floats, or of integers: ``np.load`` gives the photos
as uint8, run_EM's random start makes integer F and B); ``python tests/mutants.py`` also checks
that each one passes every test cell and shows where its hand-outs differ from the reference's
(for the numerical and free-choice ones, they do, and the reason says by how much or why that
is allowed). Keys are ``Mutant.key``: the cell, the changed line's text, the operator and the
change.
"""

# --- the same computation ------------------------------------------------------------------
ORDER = ("two neighbouring statements that do not read what the other writes, swapped: the "
         "same computation in another order (and the same random numbers, where they draw some)")
FACE_DTYPE = ("F is used only in `models[...] = F.T`, which converts it into the float models, "
              "and in `(F ** 2).sum()`: for the faces the task passes (floats from the M-step, "
              "int64 from run_EM's random start, at most 255^2 per square) the same values")
IMAGES_DTYPE = ("X (an array, as the task passes it) enters only `models @ images`, with the float64 "
                "models: numpy converts an integer or uint8 operand to float64 before the product, "
                "so it is the same product")
Q_DTYPE = ("q is an array (floats, or 0/1 integers): `q > 0`, `np.log(q, ...)`, `q * ...`, "
           "`q.sum(...)`, `q @ ...` and `q.argmax(...)` give the same values without the conversion")
PRIOR_DTYPE = "np.log of an array (or list) of numbers gives the same float array without the conversion"
M_STEP_X_DTYPE = ("X (an array) enters the product `q @ X...` (float, as q is), a mean, and hard-EM's window "
                  "sums, which numpy accumulates in 64-bit integers for uint8 or int data: exact, "
                  "the same values (run_m_step converts X itself for the sum of squares)")
RUN_EM_X_DTYPE = ("every helper run_EM calls converts X itself (squared_norms, log_probability, "
                  "m_step): the same values")
WARNINGS = ("changes only which floating-point warnings numpy prints, not a value; warnings are "
            "not graded (autograde drops them, Validate prints them on stdout)")
LOG_Q_NO_OUT = ("without out=, np.log leaves the entries where q = 0 unset, but those entries of "
                "`terms` are left out of the sum (where=positive): the same bound")
LOG_Q_NO_WHERE = ("without where=, log(0) = -inf and 0 * -inf = nan where q = 0, but those entries "
                  "of `terms` are left out of the sum (where=positive): the same bound")
FLOAT64 = "np.sum returns numpy.float64, a subclass of float, with the same value"
HARD_BEFORE_MAX = ("subtracting each column's maximum does not move where the maximum is, so "
                   "hard-EM's one-hot q is the same; EM's path runs the same statements")
KEEPDIMS = ("without keepdims the (K,) maxima or sums broadcast along the last axis of the (D, K) "
            "array, as the (1, K) ones do: the same result")
UNSEEN_OVERWRITTEN = ("changes B only at the columns no image shows (denominator 0), which the "
                      "next statement overwrites with the images' mean: the same B")
MAX_NAN_ONLY = ("max(0.0, x) and max(x, 0.0) differ only when x is nan, which finite inputs never "
                "give: the same s")
GATHER_OR_PRODUCT = ("changes only whether a one-hot q's M-step gathers the face windows or "
                     "multiplies by q, which give the same F, B, s, a (up to rounding): for EM's "
                     "soft q the product runs either way, and with hard_EM=True the task's q is "
                     "one-hot (the docstring says so)")
HARD_Q_ONE_HOT = ("would gather windows for a q that is not one-hot, but only with hard_EM=True, "
                  "when the task's q is one-hot (the docstring says so); for a one-hot q the "
                  "gather and the product give the same F, B, s, a")
WINDOWS_REBUILT = ("hard-EM's window sums are rebuilt from every image at each iteration instead "
                   "of moving only the images whose offset changed: the same sums, only slower")
SUM_RECOMPUTED = "the images' sum is recomputed at each iteration instead of kept: the same sum"
SAME_W = ("`kept` lives for one run_EM call, in which w never changes, so the test of w never "
          "decides anything: the same sums (rebuilt or moved)")
MOVE_ORDER = ("the moved images are added to their new offsets before they are taken from the old "
              "ones: the same sums up to rounding")
CHOSEN_NOT_COPIED = ("`chosen` is a new array (q.argmax) at every call and nothing changes it "
                     "afterwards: keeping it without a copy is the same")
EMPTY_GUARD = ("with no images to move, the rest of add_windows adds empty arrays and changes "
               "nothing: the guard only saves time (run_EM_hard runs iterations where none move)")
ARGSORT_STABLE = ("changes only the order in which the images of one offset are added: the same "
                  "sums up to rounding")
PREPEND = ("offsets are >= 0, so with -2 as with -1 the first difference is never 0: the same "
           "group starts")
LL_LIST = ("returns LL as a list of the same floats instead of an array: numpy, the task's plots "
           "and every check read it as that array")

# --- numerically the same ------------------------------------------------------------------
THRESHOLD_TIE = ("differs only for a logit exactly equal to log(D * tiny), where the mutant keeps "
                 "a posterior entry of about 1e-307 that the reference sets to 0")
THRESHOLD_LOG10 = ("sets to 0 the posterior entries below about 1e-133 (the reference: below "
                   "1e-305, to avoid subnormal numbers): q differs by less than 1e-133, far below "
                   "the 1e-7 any correct E-step is held to, and the bound takes 0 log 0 as 0")
THRESHOLD_TINY = ("sets to 0 the posterior entries below tiny instead of D * tiny (about 1e-306): "
                  "q differs by less than 1e-305")
SUBNORMAL = ("keeps the subnormal posterior entries (below 1e-305) that the reference sets to 0 "
             "for speed: q differs by less than 1e-305")
TOLERANCE_TIE = ("stops also when an iteration raises the bound by exactly `tolerance`: differs "
                 "only on an exact floating-point tie, which no fair test can ask for (another "
                 "correct solution's bounds differ in the last bits)")

# --- correct by the task: a free choice ----------------------------------------------------
UNSEEN_ANY_VALUE = ("where the face covers a column in every image the notebook asks for any "
                    "finite value of B (the mean of the images is a suggestion): the mutant's "
                    "value there is finite, a correct solution; run_m_step_hidden_background "
                    "checks it is finite and checks B elsewhere")
RANDOM_START = ("changes only the distribution of run_EM's random start (F, B from other integer "
                "ranges, another positive s, or another order of the draws); the task leaves the "
                "start free, so this is a correct solution, and the tests check a random start "
                "only for what any start must give (finite results, a bound that never decreases)")

#: Mutants that behave like the reference (or are correct by the task), with why.
EQUIVALENT = {
    # ORDER
    'calculate_log_probability: H, W, K = np.shape(X) | order: H, W, K = np.shape(X) -> w = F.shape[1]': ORDER,
    'calculate_log_probability: D = W - w + 1 | order: D = W - w + 1 -> F = np.asarray(F, dtype=float)': ORDER,
    'calculate_log_probability: F = np.asarray(F, dtype=float) | order: F = np.asarray(F, dtype=float) -> B = np.asarray(B, dtype=float)': ORDER,
    'calculate_log_probability: B = np.asarray(B, dtype=float) | order: B = np.asarray(B, dtype=float) -> d = np.arange(D)[:, None]': ORDER,
    'calculate_log_probability: columns = d + np.arange(w) | order: columns = d + np.arange(w) -> models = np.repeat(B[None], D, axis=0)': ORDER,
    'calculate_log_probability: models[d, :, columns] = F.T | order: models[d, :, columns] = F.T -> under_face = np.concatenate([[0.0], np.cumsum((B ** 2).sum(axis=0))])': ORDER,
    'calculate_log_probability: model_norms = (B ** 2).sum() - (under_face[w:] - under_face[:D]) + (F ** 2).sum() | order: model_norms = (B ** 2).sum() - (under_face[w:] - under_face[:D]) + (F ** 2).sum() -> images = np.asarray(X, dtype=float).reshape(H * W, K)': ORDER,
    'run_m_step: X = np.asarray(X, dtype=float) | order: X = np.asarray(X, dtype=float) -> q = np.asarray(q, dtype=float)': ORDER,
    'run_m_step: q = np.asarray(q, dtype=float) | order: q = np.asarray(q, dtype=float) -> H, W, K = X.shape': ORDER,
    'run_m_step: D = W - w + 1 | order: D = W - w + 1 -> a = q.sum(axis=1) / q.sum()': ORDER,
    'run_m_step: a = q.sum(axis=1) / q.sum() | order: a = q.sum(axis=1) / q.sum() -> d = np.arange(D)[:, None]': ORDER,
    'run_m_step: columns = d + np.arange(w) | order: columns = d + np.arange(w) -> gather = hard_EM and is_one_hot(q)': ORDER,
    'run_m_step: F = Y[d, :, columns].sum(axis=0).T / K | order: F = Y[d, :, columns].sum(axis=0).T / K -> covers = np.zeros((D, W))': ORDER,
    'run_m_step: covers[d, columns] = 1.0 | order: covers[d, columns] = 1.0 -> weight = q.sum(axis=1)': ORDER,
    "run_m_step: weight = q.sum(axis=1) | order: weight = q.sum(axis=1) -> if gather: numerator = kept['sum'] - np.einsum('dij,dj->ij', Y, covers) else: numerator...": ORDER,
    "run_m_step: if gather: | order: if gather: numerator = kept['sum'] - np.einsum('dij,dj->ij', Y, covers) else: numerator... -> denominator = weight.sum() - weight @ covers": ORDER,
    'run_m_step: B[:, ~seen] = X[:, ~seen].mean(axis=2) | order: B[:, ~seen] = X[:, ~seen].mean(axis=2) -> squared = squares - 2 * (B * numerator).sum() + (B ** 2 * denominator).sum() - K * (F *...': ORDER,
    "run_m_step: H, W, K = X.shape | order: H, W, K = X.shape -> if 'sum' not in kept: kept['sum'] = X.sum(axis=2)": ORDER,
    'run_m_step: if "sum" not in kept: | order: if \'sum\' not in kept: kept[\'sum\'] = X.sum(axis=2) -> last = kept.get(\'windows\')': ORDER,
    'run_m_step: windows = X[:, offsets + np.arange(w)[:, None], images] | order: windows = X[:, offsets + np.arange(w)[:, None], images] -> first = np.flatnonzero(np.diff(offsets, prepend=-1))': ORDER,
    'run_EM: if B is None: | order: if B is None: B = np.random.randint(0, 255, (H, W)) -> if a is None: a = np.ones(W - w + 1) a /= np.sum(a)': ORDER,
    'run_EM: if a is None: | order: if a is None: a = np.ones(W - w + 1) a /= np.sum(a) -> if s is None: s = np.random.rand() * pow(64, 2)': ORDER,
    'run_EM: if s is None: | order: if s is None: s = np.random.rand() * pow(64, 2) -> X = np.asarray(X, dtype=float)': ORDER,
    'run_EM: X = np.asarray(X, dtype=float) | order: X = np.asarray(X, dtype=float) -> norms, kept = (squared_norms(X), {})': ORDER,
    # FACE_DTYPE
    'calculate_log_probability: F = np.asarray(F, dtype=float) | statement: F = np.asarray(F, dtype=float) -> (removed)': FACE_DTYPE,
    'calculate_log_probability: F = np.asarray(F, dtype=float) | unwrapped: np.asarray(F, dtype=float) -> F': FACE_DTYPE,
    'calculate_log_probability: F = np.asarray(F, dtype=float) | keyword: np.asarray(F, dtype=float) -> np.asarray(F)': FACE_DTYPE,
    # IMAGES_DTYPE
    'calculate_log_probability: images = np.asarray(X, dtype=float).reshape(H * W, K) | unwrapped: np.asarray(X, dtype=float) -> X': IMAGES_DTYPE,
    'calculate_log_probability: images = np.asarray(X, dtype=float).reshape(H * W, K) | keyword: np.asarray(X, dtype=float) -> np.asarray(X)': IMAGES_DTYPE,
    # Q_DTYPE
    'calculate_lower_bound: q = np.asarray(q, dtype=float) | statement: q = np.asarray(q, dtype=float) -> (removed)': Q_DTYPE,
    'calculate_lower_bound: q = np.asarray(q, dtype=float) | order: q = np.asarray(q, dtype=float) -> positive = q > 0': Q_DTYPE,
    'calculate_lower_bound: q = np.asarray(q, dtype=float) | unwrapped: np.asarray(q, dtype=float) -> q': Q_DTYPE,
    'calculate_lower_bound: q = np.asarray(q, dtype=float) | keyword: np.asarray(q, dtype=float) -> np.asarray(q)': Q_DTYPE,
    'run_m_step: q = np.asarray(q, dtype=float) | statement: q = np.asarray(q, dtype=float) -> (removed)': Q_DTYPE,
    'run_m_step: q = np.asarray(q, dtype=float) | unwrapped: np.asarray(q, dtype=float) -> q': Q_DTYPE,
    'run_m_step: q = np.asarray(q, dtype=float) | keyword: np.asarray(q, dtype=float) -> np.asarray(q)': Q_DTYPE,
    # PRIOR_DTYPE
    'calculate_lower_bound: log_a = np.log(np.asarray(a, dtype=float))[:, None] | unwrapped: np.asarray(a, dtype=float) -> a': PRIOR_DTYPE,
    'calculate_lower_bound: log_a = np.log(np.asarray(a, dtype=float))[:, None] | keyword: np.asarray(a, dtype=float) -> np.asarray(a)': PRIOR_DTYPE,
    'run_e_step: logits = ll + np.log(np.asarray(a, dtype=float))[:, None] | unwrapped: np.asarray(a, dtype=float) -> a': PRIOR_DTYPE,
    'run_e_step: logits = ll + np.log(np.asarray(a, dtype=float))[:, None] | keyword: np.asarray(a, dtype=float) -> np.asarray(a)': PRIOR_DTYPE,
    # M_STEP_X_DTYPE
    'run_m_step: X = np.asarray(X, dtype=float) | statement: X = np.asarray(X, dtype=float) -> (removed)': M_STEP_X_DTYPE,
    'run_m_step: X = np.asarray(X, dtype=float) | unwrapped: np.asarray(X, dtype=float) -> X': M_STEP_X_DTYPE,
    'run_m_step: X = np.asarray(X, dtype=float) | keyword: np.asarray(X, dtype=float) -> np.asarray(X)': M_STEP_X_DTYPE,
    # RUN_EM_X_DTYPE
    'run_EM: X = np.asarray(X, dtype=float) | statement: X = np.asarray(X, dtype=float) -> (removed)': RUN_EM_X_DTYPE,
    'run_EM: X = np.asarray(X, dtype=float) | unwrapped: np.asarray(X, dtype=float) -> X': RUN_EM_X_DTYPE,
    'run_EM: X = np.asarray(X, dtype=float) | keyword: np.asarray(X, dtype=float) -> np.asarray(X)': RUN_EM_X_DTYPE,
    # WARNINGS
    'calculate_lower_bound: with np.errstate(divide="ignore", invalid="ignore"): | keyword: np.errstate(divide=\'ignore\', invalid=\'ignore\') -> np.errstate(invalid=\'ignore\')': WARNINGS,
    'calculate_lower_bound: with np.errstate(divide="ignore", invalid="ignore"): | keyword: np.errstate(divide=\'ignore\', invalid=\'ignore\') -> np.errstate(divide=\'ignore\')': WARNINGS,
    'run_e_step: with np.errstate(divide="ignore"): | keyword: np.errstate(divide=\'ignore\') -> np.errstate()': WARNINGS,
    # LOG_Q_NO_OUT
    'calculate_lower_bound: terms = q * (ll + log_a - np.log(q, out=np.zeros(q.shape), where=positive)) | keyword: np.log(q, out=np.zeros(q.shape), where=positive) -> np.log(q, where=positive)': LOG_Q_NO_OUT,
    # LOG_Q_NO_WHERE
    'calculate_lower_bound: terms = q * (ll + log_a - np.log(q, out=np.zeros(q.shape), where=positive)) | keyword: np.log(q, out=np.zeros(q.shape), where=positive) -> np.log(q, out=np.zeros(q.shape))': LOG_Q_NO_WHERE,
    # FLOAT64
    'calculate_lower_bound: return float(np.sum(terms, where=positive)) | unwrapped: float(np.sum(terms, where=positive)) -> np.sum(terms, where=positive)': FLOAT64,
    # HARD_BEFORE_MAX
    'run_e_step: if hard_EM: | order: if hard_EM: q = np.zeros(logits.shape) q[logits.argmax(axis=0), np.arange(logits.shape[... -> logits -= logits.max(axis=0, keepdims=True)': HARD_BEFORE_MAX,
    # KEEPDIMS
    'run_e_step: logits -= logits.max(axis=0, keepdims=True) | keyword: logits.max(axis=0, keepdims=True) -> logits.max(axis=0)': KEEPDIMS,
    'run_e_step: logits -= logits.max(axis=0, keepdims=True) | constant: True -> False': KEEPDIMS,
    'run_e_step: return q / q.sum(axis=0, keepdims=True) | keyword: q.sum(axis=0, keepdims=True) -> q.sum(axis=0)': KEEPDIMS,
    'run_e_step: return q / q.sum(axis=0, keepdims=True) | constant: True -> False': KEEPDIMS,
    # THRESHOLD_TIE
    'run_e_step: keep = logits > np.log(len(logits) * np.finfo(float).tiny) | comparison: logits > np.log(len(logits) * np.finfo(float).tiny) -> logits >= np.log(len(logits) * np.finfo(float).tiny)': THRESHOLD_TIE,
    # THRESHOLD_LOG10
    'run_e_step: keep = logits > np.log(len(logits) * np.finfo(float).tiny) | function: np.log(len(logits) * np.finfo(float).tiny) -> np.log10(len(logits) * np.finfo(float).tiny)': THRESHOLD_LOG10,
    # THRESHOLD_TINY
    'run_e_step: keep = logits > np.log(len(logits) * np.finfo(float).tiny) | dropped term: len(logits) * np.finfo(float).tiny -> np.finfo(float).tiny': THRESHOLD_TINY,
    # SUBNORMAL
    'run_e_step: q = np.exp(logits, out=np.zeros(logits.shape), where=keep) | keyword: np.exp(logits, out=np.zeros(logits.shape), where=keep) -> np.exp(logits, out=np.zeros(logits.shape))': SUBNORMAL,
    # UNSEEN_ANY_VALUE
    'run_m_step: B[:, ~seen] = X[:, ~seen].mean(axis=2) | statement: B[:, ~seen] = X[:, ~seen].mean(axis=2) -> (removed)': UNSEEN_ANY_VALUE,
    'run_m_step: B[:, ~seen] = X[:, ~seen].mean(axis=2) | function: X[:, ~seen].mean(axis=2) -> X[:, ~seen].sum(axis=2)': UNSEEN_ANY_VALUE,
    'run_m_step: B[:, ~seen] = X[:, ~seen].mean(axis=2) | keyword: X[:, ~seen].mean(axis=2) -> X[:, ~seen].mean()': UNSEEN_ANY_VALUE,
    # UNSEEN_OVERWRITTEN
    'run_m_step: B = np.divide(numerator, denominator, out=np.zeros((H, W)), where=seen) | keyword: np.divide(numerator, denominator, out=np.zeros((H, W)), where=seen) -> np.divide(numerator, denominator, where=seen)': UNSEEN_OVERWRITTEN,
    'run_m_step: B = np.divide(numerator, denominator, out=np.zeros((H, W)), where=seen) | keyword: np.divide(numerator, denominator, out=np.zeros((H, W)), where=seen) -> np.divide(numerator, denominator, out=np.zeros((H, W)))': UNSEEN_OVERWRITTEN,
    # MAX_NAN_ONLY
    'run_m_step: s = np.sqrt(max(squared, 0.0) / (H * W * K)) | arguments: max(squared, 0.0) -> max(0.0, squared)': MAX_NAN_ONLY,
    # GATHER_OR_PRODUCT
    'run_m_step: gather = hard_EM and is_one_hot(q) | boolean: hard_EM and is_one_hot(q) -> hard_EM or is_one_hot(q)': GATHER_OR_PRODUCT,
    'run_m_step: gather = hard_EM and is_one_hot(q) | boolean: hard_EM and is_one_hot(q) -> is_one_hot(q)': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | boolean: np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1) -> np.all((q == 0) | (q == 1)) or np.all(q.sum(axis=0) == 1)': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | boolean: np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1) -> np.all(q.sum(axis=0) == 1)': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | arithmetic: (q == 0) | (q == 1) -> (q == 0) & (q == 1)': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | dropped term: (q == 0) | (q == 1) -> q == 0': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | comparison: q == 0 -> q != 0': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | constant: 0 -> 1': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | constant: 0 -> -1': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | comparison: q == 1 -> q != 1': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | constant: 1 -> 2': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | constant: 1 -> 0': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | comparison: q.sum(axis=0) == 1 -> q.sum(axis=0) != 1': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | function: q.sum(axis=0) -> q.mean(axis=0)': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | unwrapped: q.sum(axis=0) -> q': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | keyword: q.sum(axis=0) -> q.sum()': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | constant: 0 -> 1 (2)': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | constant: 0 -> -1 (2)': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | constant: 1 -> 2 (2)': GATHER_OR_PRODUCT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | constant: 1 -> 0 (2)': GATHER_OR_PRODUCT,
    # HARD_Q_ONE_HOT
    'run_m_step: gather = hard_EM and is_one_hot(q) | boolean: hard_EM and is_one_hot(q) -> hard_EM': HARD_Q_ONE_HOT,
    'run_m_step: return bool(np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1)) | boolean: np.all((q == 0) | (q == 1)) and np.all(q.sum(axis=0) == 1) -> np.all((q == 0) | (q == 1))': HARD_Q_ONE_HOT,
    # WINDOWS_REBUILT
    'run_m_step: kept["windows"] = (w, chosen.copy(), Y) | statement: kept[\'windows\'] = (w, chosen.copy(), Y) -> (removed)': WINDOWS_REBUILT,
    'run_m_step: kept["windows"] = (w, chosen.copy(), Y) | order: kept[\'windows\'] = (w, chosen.copy(), Y) -> return Y': WINDOWS_REBUILT,
    'run_m_step: if last is None or last[0] != w: | condition: if last is None or last[0] != w: Y = np.zeros((W - w + 1, H, W)) add_windows(Y, X, np.a... -> if True: Y = np.zeros((W - w + 1, H, W)) add_windows(Y, X, np.arange(K), chosen, w) els...': WINDOWS_REBUILT,
    # SUM_RECOMPUTED
    'run_m_step: if "sum" not in kept: | condition: if \'sum\' not in kept: kept[\'sum\'] = X.sum(axis=2) -> if True: kept[\'sum\'] = X.sum(axis=2)': SUM_RECOMPUTED,
    # SAME_W
    'run_m_step: if last is None or last[0] != w: | boolean: last is None or last[0] != w -> last is None': SAME_W,
    'run_m_step: if last is None or last[0] != w: | comparison: last[0] != w -> last[0] == w': SAME_W,
    # MOVE_ORDER
    'run_m_step: add_windows(Y, X, moved, before[moved], w, sign=-1.0) | order: add_windows(Y, X, moved, before[moved], w, sign=-1.0) -> add_windows(Y, X, moved, chosen[moved], w)': MOVE_ORDER,
    # CHOSEN_NOT_COPIED
    'run_m_step: kept["windows"] = (w, chosen.copy(), Y) | unwrapped: chosen.copy() -> chosen': CHOSEN_NOT_COPIED,
    # EMPTY_GUARD
    'run_m_step: if len(images) == 0: | statement: if len(images) == 0: return -> (removed)': EMPTY_GUARD,
    "run_m_step: if len(images) == 0: | order: if len(images) == 0: return -> order = np.argsort(offsets, kind='stable')": EMPTY_GUARD,
    'run_m_step: if len(images) == 0: | condition: if len(images) == 0: return -> if False: return': EMPTY_GUARD,
    'run_m_step: if len(images) == 0: | constant: 0 -> -1': EMPTY_GUARD,
    # ARGSORT_STABLE
    'run_m_step: order = np.argsort(offsets, kind="stable") | keyword: np.argsort(offsets, kind=\'stable\') -> np.argsort(offsets)': ARGSORT_STABLE,
    # PREPEND
    'run_m_step: first = np.flatnonzero(np.diff(offsets, prepend=-1)) | constant: -1 -> -2': PREPEND,
    # RANDOM_START
    'run_EM: if F is None: | order: if F is None: F = np.random.randint(0, 255, (H, w)) -> if B is None: B = np.random.randint(0, 255, (H, W))': RANDOM_START,
    'run_EM: F = np.random.randint(0, 255, (H, w)) | constant: 0 -> 1': RANDOM_START,
    'run_EM: F = np.random.randint(0, 255, (H, w)) | constant: 0 -> -1': RANDOM_START,
    'run_EM: F = np.random.randint(0, 255, (H, w)) | constant: 255 -> 256': RANDOM_START,
    'run_EM: F = np.random.randint(0, 255, (H, w)) | constant: 255 -> 254': RANDOM_START,
    'run_EM: B = np.random.randint(0, 255, (H, W)) | constant: 0 -> 1': RANDOM_START,
    'run_EM: B = np.random.randint(0, 255, (H, W)) | constant: 0 -> -1': RANDOM_START,
    'run_EM: B = np.random.randint(0, 255, (H, W)) | constant: 255 -> 256': RANDOM_START,
    'run_EM: B = np.random.randint(0, 255, (H, W)) | constant: 255 -> 254': RANDOM_START,
    'run_EM: s = np.random.rand()*pow(64,2) | arithmetic: np.random.rand() * pow(64, 2) -> np.random.rand() / pow(64, 2)': RANDOM_START,
    'run_EM: s = np.random.rand()*pow(64,2) | dropped term: np.random.rand() * pow(64, 2) -> np.random.rand()': RANDOM_START,
    'run_EM: s = np.random.rand()*pow(64,2) | dropped term: np.random.rand() * pow(64, 2) -> pow(64, 2)': RANDOM_START,
    'run_EM: s = np.random.rand()*pow(64,2) | arguments: pow(64, 2) -> pow(2, 64)': RANDOM_START,
    'run_EM: s = np.random.rand()*pow(64,2) | constant: 64 -> 65': RANDOM_START,
    'run_EM: s = np.random.rand()*pow(64,2) | constant: 64 -> 63': RANDOM_START,
    'run_EM: s = np.random.rand()*pow(64,2) | constant: 2 -> 3': RANDOM_START,
    'run_EM: s = np.random.rand()*pow(64,2) | constant: 2 -> 1': RANDOM_START,
    'run_EM: s = np.random.rand()*pow(64,2) | constant: 2 -> 0': RANDOM_START,
    # TOLERANCE_TIE
    'run_EM: if LL[-1] - LL[-2] < tolerance: | comparison: LL[-1] - LL[-2] < tolerance -> LL[-1] - LL[-2] <= tolerance': TOLERANCE_TIE,
    # LL_LIST
    'run_EM: return F, B, s, a, np.array(LL) | unwrapped: np.array(LL) -> LL': LL_LIST,
}

#: Mutants whose change only other functions' calls reach, though the test cells run the
#: changed line through the mutated cell's function too: {key: (functions, why)}.
CHARGED = {
    "run_m_step: Y[d, :, d + np.arange(w)] += sign * np.add.reduceat(windows, first, axis=2).transpose(2, 1, 0)"
    " | dropped term: sign * np.add.reduceat(windows, first, axis=2).transpose(2, 1, 0)"
    " -> np.add.reduceat(windows, first, axis=2).transpose(2, 1, 0)":
        (["run_EM"], "add_windows gets sign=-1.0 only from the incremental branch, which only run_EM's "
         "loop reaches; from run_m_step sign is +1.0 and the mutant is the same function"),
}

#: Killed mutants that fail more than one behaviour cell of their function although they
#: neither raise there nor fail its visible cell: why each of those cells is right to fail.
_COLUMNS = ("`columns` (the face's columns at each offset) serves twice: to read each offset's face "
            "window for F and to mark where the face hides the background for B. With a face wider "
            "than one column (the visible fixture's is one) both are wrong: F (face) and B "
            "(background); and s, which the expansion of the square computes from the windows' sums, "
            "is then not the noise of the F and B returned (noise). Three outputs, each really wrong")
SEVERAL = {
    "run_m_step: columns = d + np.arange(w) | arithmetic: d + np.arange(w) -> d - np.arange(w)": _COLUMNS,
    "run_m_step: columns = d + np.arange(w) | dropped term: d + np.arange(w) -> d": _COLUMNS,
}
