"""pytest's shared fixtures and hooks; what tests share otherwise is in tests/support/.

The fixtures: the reference solution taken from source/, the notebooks, the data, and a graded course.

The expensive fixture, ``graded_course``, copies the course into a temporary directory,
runs the real nbgrader apps there (generate_assignment, autograde, generate_feedback)
on the demo submissions and hands the tests its gradebook.
"""
import atexit
import collections
import os
import pathlib
import shutil
import sys
import tempfile

import numpy as np
import pytest

from coursetools import notebook_cells
from support import DATA, EM, RELEASE_NB, REPORTS, ROOT, SOURCE_NB, TRUTH, load_solution_namespace, nbgrader, new_course

# Every test, and every nbgrader, Jupyter or kernel process a test starts, runs
# - with this interpreter's bin/ first on PATH: nbgrader shells out to `alembic` whenever it
#   opens a gradebook (the Makefile does the same for the make targets);
# - with Jupyter's and IPython's configuration, data and runtime folders and the home folder
#   in a temporary folder of its own, as nbgrader's own test suite does: a developer's
#   ~/.jupyter or ~/.ipython cannot change a result, and the tests leave nothing there.
#   The environment's own Jupyter folders (sys.prefix/etc/jupyter, share/jupyter: the
#   kernel and the installed extensions) stay visible, as they are part of the install.
ISOLATED = pathlib.Path(tempfile.mkdtemp(prefix="em-prankster-tests-"))
os.environ["PATH"] = str(pathlib.Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
os.environ.update(HOME=str(ISOLATED / "home"), JUPYTER_CONFIG_DIR=str(ISOLATED / "jupyter-config"),
                  JUPYTER_DATA_DIR=str(ISOLATED / "jupyter-data"),
                  JUPYTER_RUNTIME_DIR=str(ISOLATED / "jupyter-runtime"),
                  IPYTHONDIR=str(ISOLATED / "ipython"), MPLBACKEND="Agg")
(ISOLATED / "home").mkdir()
atexit.register(shutil.rmtree, ISOLATED, ignore_errors=True)


@pytest.fixture(scope="session")
def reference():
    """Namespace holding the reference solution from source/, plus the test fixtures."""
    return load_solution_namespace()


@pytest.fixture(scope="session")
def source_nb():
    return notebook_cells.read(SOURCE_NB)


@pytest.fixture(scope="session")
def release_nb():
    return notebook_cells.read(RELEASE_NB)


@pytest.fixture(scope="session")
def data():
    if not DATA.exists():
        pytest.fail(f"{DATA} is missing: run `make data` first")
    return np.load(DATA)


@pytest.fixture(scope="session")
def truth():
    if not TRUTH.exists():
        pytest.fail(f"{TRUTH} is missing: run `make data` first")
    return dict(np.load(TRUTH))


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory):
    """A course directory in which the demo submissions have been autograded with feedback."""
    course = new_course(tmp_path_factory.mktemp("course"))
    nbgrader(course, "generate_assignment", EM.name, "--force")
    shutil.copytree(ROOT / "demo" / "submitted", course / "submitted")
    nbgrader(course, "autograde", EM.name, "--force")
    nbgrader(course, "generate_feedback", EM.name, "--force")
    return course


# The test files that take longest, in the order the two processes of `make test` should start
# them (pytest-xdist: -n 2 --dist loadfile --no-loadscope-reorder, each file on one process);
# the rest follow in pytest's order. The run prints each file's seconds at its end.
LONGEST_FIRST = ("test_hostile.py", "test_hub.py", "test_corpus.py", "test_payloads.py", "test_postgres.py",
                 "test_grading.py", "test_hostile_safeguards_off.py", "test_browser.py", "test_mutants.py",
                 "test_sync.py", "test_new_assignment.py")


def pytest_collection_modifyitems(items):
    """The longest test files first, so that the processes finish at about the same time."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order


def pytest_sessionfinish(session):
    """In a pytest-xdist worker, hand the reports to the main process (pytest_testnodedown)."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["reports"] = [list(report) for report in REPORTS]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    REPORTS.extend(tuple(report) for report in getattr(node, "workeroutput", {}).get("reports", []))


FILE_SECONDS = collections.Counter()  # test file -> seconds of setup, call and teardown
PROCESS_FILES = collections.defaultdict(list)  # pytest-xdist worker -> its files, in order


def pytest_runtest_logreport(report):
    """Add each phase's time to its file (under pytest-xdist, the main process gets them all)."""
    path = report.nodeid.split("::")[0]
    FILE_SECONDS[path] += report.duration
    node = getattr(report, "node", None)  # the worker that ran it, under pytest-xdist
    files = PROCESS_FILES[node.gateway.id if node is not None else "main"]
    if path not in files:
        files.append(path)


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_sep("=", "seconds per test file (the longest ten: LONGEST_FIRST above)")
    for path, seconds in FILE_SECONDS.most_common(10):
        terminalreporter.write_line(f"{seconds:8.1f} s  {path}")
    for process, files in sorted(PROCESS_FILES.items()):  # how evenly the processes were loaded
        longest = sorted(files, key=FILE_SECONDS.get, reverse=True)[:4]
        terminalreporter.write_line(f"{process}: {sum(FILE_SECONDS[f] for f in files):.0f} s in "
                                    f"{len(files)} files, the longest {', '.join(longest)}")
    for title, text in sorted(REPORTS):
        terminalreporter.write_sep("=", title)
        terminalreporter.write_line(text)
