"""The sandbox each kernel runs in (grading/sandbox/bwrap.py), one rule per test.

One tiny notebook is executed once by ``GuardedExecute`` (grading/steps/execute.py) in the
sandbox, without nbgrader around it; each of its cells prints what the kernel can see or
do as one JSON line, and each test below checks one of those facts. The hostile suite
(tests/test_hostile.py) checks the same rules through complete grading runs.
"""
import json
import os
import pathlib
import shutil
import sys

import nbformat
import psutil
import pytest

from grading import sandbox
from grading.steps.execute import GuardedExecute

pytestmark = pytest.mark.slow  # `make check` leaves it out (pytest.ini)

PROBES = {
    "who": "import os; print(json.dumps({'uid': os.getuid(), 'gid': os.getgid(), 'cwd': os.getcwd()}))",
    "files": "print(json.dumps(sorted(os.listdir('.'))))",
    "read_only": """
try:
    open('given.txt', 'a').write('more')
    print(json.dumps('written'))
except OSError as error:
    print(json.dumps(error.strerror))""",
    "writable": """
open('mine.txt', 'w').write('x'); open('/tmp/mine.txt', 'w').write('x')
print(json.dumps(open('mine.txt').read() + open('/tmp/mine.txt').read()))""",
    "host": "print(json.dumps({p: sorted(os.listdir(p)) for p in HOST_PATHS if os.path.exists(p)}))",
    "root": "print(json.dumps(sorted(os.listdir('/'))))",
    "network": "import socket; print(json.dumps([n for _, n in socket.if_nameindex()]))",
    "processes": """
cmds = []
for p in os.listdir('/proc'):
    if p.isdigit():
        try:
            cmds.append(open(f'/proc/{p}/cmdline', 'rb').read().split(b'\\0')[0].decode())
        except OSError:
            pass
print(json.dumps(sorted(cmds)))""",
    "signal_init": """
import signal
try:
    os.kill(1, signal.SIGTERM)
    print(json.dumps('sent'))
except OSError as error:
    print(json.dumps(error.strerror))""",
    "memory": """
import numpy as np
try:
    np.ones(2**31)
    print(json.dumps('allocated'))
except MemoryError:
    print(json.dumps('MemoryError'))""",
    "fork_cap": """
import signal, time
children, error = [], None
try:
    while len(children) < 1000:
        pid = os.fork()
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        children.append(pid)
except OSError as e:
    error = e.strerror
for pid in children:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
print(json.dumps([len(children), error]))""",
    "linger": """
if os.fork() == 0:
    os.setsid()
    time.sleep(3600)
print(json.dumps('left a child'))""",
    "environment": "print(json.dumps(sorted(os.environ)))",
}
MAX_PROCESSES = 24
CANARY = "EM_PRANKSTER_GRADER_SECRET"  # set in the grader's environment while the kernel runs


def notebook(host_paths):
    cells = [nbformat.v4.new_code_cell(f"import json, os\nHOST_PATHS = {host_paths!r}")]
    for name, code in PROBES.items():
        cell = nbformat.v4.new_code_cell(code.strip())
        cell.metadata["probe_name"] = name
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def execute(folder, **limits):
    nb = notebook([str(folder), str(pathlib.Path.cwd()), str(pathlib.Path.home()),
                   str(pathlib.Path(__file__).resolve().parents[1])])
    executor = GuardedExecute(timeout=60, memory_limit_mib=1024, max_processes=MAX_PROCESSES,
                              **limits)
    nb, _ = executor.preprocess(nb, {"metadata": {"path": str(folder)}})
    said = {"_sandbox": executor.last_sandbox}
    for cell in nb.cells[1:]:
        text = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
        said[cell.metadata["probe_name"]] = json.loads(text) if text else cell.outputs
    return nb, said


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    sandbox.check()  # fails the tests with the reason if no sandbox can be made here
    folder = tmp_path_factory.mktemp("submission") / "em_prankster"
    folder.mkdir()
    (folder / "given.txt").write_text("from the course\n")
    (folder / "outside_link").symlink_to("/etc")
    os.environ[CANARY] = "a token the kernel must not see"
    try:
        nb, said = execute(folder)
    finally:
        del os.environ[CANARY]
    return dict(folder=folder, nb=nb, said=said, box=said.pop("_sandbox"))


def test_the_kernel_is_an_unprivileged_user(run):
    who = run["said"]["who"]
    assert who["uid"] != 0 and who["gid"] != 0, who
    if os.geteuid() == 0:  # a user id no account has, one per grading process
        assert who["uid"] == GuardedExecute().sandbox_uid_base + os.getpid()


def test_the_working_folder_holds_the_submissions_files_only(run):
    assert run["said"]["who"]["cwd"] == "/home/student/em_prankster"
    assert run["said"]["files"] == ["given.txt"]  # the link is not bound


def test_the_submissions_files_are_read_only(run):
    assert run["said"]["read_only"] in ("Read-only file system", "Permission denied")
    assert (run["folder"] / "given.txt").read_text() == "from the course\n"


def test_the_working_folder_and_tmp_are_writable_and_private(run):
    assert run["said"]["writable"] == "xx"
    assert not (run["folder"] / "mine.txt").exists()


def python_paths():
    """Folders the sandbox shows: the Python installation, its environment, their parents."""
    prefixes = [pathlib.Path(p) for p in {os.path.realpath(sys.base_prefix), sys.prefix}]
    return {str(p) for prefix in prefixes for p in [prefix, *prefix.parents]}


def test_no_folder_of_the_host_is_visible(run):
    """The submission's folder, the repository, the working and home folders are not there,
    but as the empty parents of the Python installation and its environment."""
    shown = python_paths()
    for path, entries in run["said"]["host"].items():
        assert path in shown, f"{path} is visible in the sandbox: {entries}"
        extra = [e for e in entries if os.path.join(path, e) not in shown]
        assert extra == [], f"{path} shows more than Python: {extra}"
    assert str(run["folder"]) not in run["said"]["host"]
    # The root: the system's folders, and the top folders of Python's paths (wherever the
    # course was cloned: /work, /tmp, /check, ...), nothing else.
    python_tops = {pathlib.Path(p).parts[1] for p in shown if p != "/"}
    assert set(run["said"]["root"]) <= {"bin", "dev", "etc", "home", "lib", "lib32", "lib64",
                                        "libx32", "proc", "sbin", "tmp", "usr"} | python_tops


def test_there_is_no_network(run):
    assert run["said"]["network"] == ["lo"]


def test_only_its_own_processes_are_visible(run):
    names = [pathlib.Path(c).name for c in run["said"]["processes"]]
    assert "bwrap" in names and not any("pytest" in c for c in run["said"]["processes"]), names
    assert len(names) <= 4, names  # the sandbox's init, the kernel and what it runs


def test_the_sandboxs_init_cannot_be_signalled(run):
    assert run["said"]["signal_init"] == "Operation not permitted"


def test_processes_are_capped(run):
    forked, error = run["said"]["fork_cap"]
    assert forked < MAX_PROCESSES and error == "Resource temporarily unavailable", (forked, error)


def test_memory_is_still_capped(run):
    assert run["said"]["memory"] == "MemoryError"


def test_the_graders_environment_does_not_reach_the_kernel(run):
    assert CANARY not in run["said"]["environment"]
    assert "HOME" in run["said"]["environment"]


def test_nothing_is_left_when_the_kernel_stops(run):
    assert not run["box"].sockets.exists(), "the sockets' folder is left"
    assert run["box"].cgroup.paths and not any(p.exists() for p in run["box"].cgroup.paths)
    uid = GuardedExecute().sandbox_uid_base + os.getpid()
    left = [p.pid for p in psutil.process_iter(["uids"])
            if p.info["uids"] and p.info["uids"].real == uid]
    assert left == [], "a child the kernel left (in a session of its own) outlived it"
    assert run["said"]["linger"] == "left a child"


def test_the_notebook_records_the_sandbox(run):
    assert run["nb"].metadata.grading["sandbox"].startswith("bubblewrap ")


def test_without_the_sandbox_the_record_says_so(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os; print(os.getuid())")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb, _ = GuardedExecute(sandbox=False).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert nb.metadata.grading["sandbox"] == sandbox.NONE
    assert nb.cells[0].outputs[0].text.strip() == str(os.getuid())


def test_a_spent_budget_stops_a_cell_which_the_sandboxed_kernel_then_leaves(tmp_path):
    """The submission's budget (3 s) cuts a cell short of the per-cell limit (60 s), through
    nbclient's ``timeout_func``. The interrupt, a message on the control channel, reaches the
    kernel in its own session (its KeyboardInterrupt), which then answers the probe that
    follows (else the cell would end in KernelUnresponsive)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time; time.sleep(30)"),
                                         nbformat.v4.new_code_cell("print('next')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    executor = GuardedExecute(timeout=60, submission_timeout=3, interrupt_grace=30)
    nb, _ = executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert [o.get("ename") for o in nb.cells[0].outputs if o.output_type == "error"] == [
        "KeyboardInterrupt", "CellTimeoutError"], nb.cells[0].outputs
    # Run if the budget's last second is not spent yet; either way, not lost with the kernel.
    assert [o.get("ename") or o.get("text") for o in nb.cells[1].outputs] in (
        ["SubmissionTimeout"], ["next\n"]), nb.cells[1].outputs
    assert executor.last_sandbox is not None and not executor.last_sandbox.sockets.exists()


def test_a_missing_bwrap_is_reported_with_the_fix(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(os.path, "exists", lambda path: False)
    with pytest.raises(sandbox.SandboxUnavailable, match="apt-get install bubblewrap"):
        sandbox.check()


GRADER = """
import sys, nbformat
from grading.steps.execute import GuardedExecute
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    "import os, time\\nif os.fork() == 0:\\n    os.setsid()\\nprint('running', flush=True)\\ntime.sleep(600)")])
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
GuardedExecute(timeout=600).preprocess(nb, {"metadata": {"path": sys.argv[1]}})
"""


def processes_of(uid, marker):
    """As root: every process of the kernel's user. Otherwise, the bwrap that names ``marker``."""
    found = []
    for proc in psutil.process_iter(["uids", "cmdline"]):  # None where it could not be read
        if (proc.info["uids"] and proc.info["uids"].real == uid if os.geteuid() == 0
                else any(marker in arg for arg in proc.info["cmdline"] or [])):
            found.append(proc.pid)
    return found


def test_the_sandbox_dies_with_the_grading_process(tmp_path):
    """SIGKILL the grading process while its kernel (and a child in its own session) runs."""
    import signal
    import subprocess
    import time
    grader = subprocess.Popen([sys.executable, "-c", GRADER, str(tmp_path)],
                              cwd=pathlib.Path(__file__).resolve().parents[1])
    uid, marker = GuardedExecute().sandbox_uid_base + grader.pid, f"/home/student/{tmp_path.name}"
    expected = 2 if os.geteuid() == 0 else 1
    deadline = time.monotonic() + 60
    while len(processes_of(uid, marker)) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(processes_of(uid, marker)) >= expected, "the kernel and its child never started"
    time.sleep(1)  # the cell is running: the child has left for a session of its own
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    deadline = time.monotonic() + 10
    while processes_of(uid, marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_of(uid, marker) == []
