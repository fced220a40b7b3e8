"""nbgrader's Execute step, with limits that one submission cannot break.

``GuardedExecute`` replaces ``nbgrader.preprocessors.Execute`` in autograde. It keeps
nbgrader's behaviour for well-behaved notebooks and adds:

- **memory**: the kernel starts under an address-space limit (``memory_limit_mib``), so a
  20 GB array raises ``MemoryError`` in the student's cell instead of taking the grading
  host down;
- **time**: each cell may run ``Execute.timeout`` seconds and the whole notebook
  ``submission_timeout`` seconds; the cells left when the budget is spent are not run;
  a kernel that still does not answer after an interrupt is shut down;
- **crashes**: when the kernel dies (``os._exit``, a segfault, ``exit()``), the cell that
  killed it and every cell after it get an error output saying so, and the cells before
  keep their outputs (and so their points); nbgrader would give up on the whole
  submission instead;
- **output**: a cell keeps at most ``max_output_bytes`` of output; the rest is dropped
  while it arrives, so a flood of prints cannot fill the grading host's memory;
- **isolation** (``sandbox``, on by default): the kernel runs in a bubblewrap sandbox
  (``grading/sandbox/bwrap.py``) that sees only the submission's own files, has no network, its
  own processes and an unprivileged user, and at most ``max_processes`` processes.

- **verdicts outside the kernel**: a graded test cell is split (``grading/verdicts/``): the
  kernel runs only the part that calls the student's functions and hands their results out
  as data, with a one-time token; the grading process takes that hand-in out of the
  notebook, runs the cell's checks itself and writes the verdict as the cell's only output
  (nothing, or one error output with the message), which nbgrader then scores as usual.
  Nothing the kernel prints, raises or displays in a test cell decides its points, and the
  expected values and checks never reach the kernel.

Each autograded notebook records how it was run in its metadata (``grading.sandbox``) and
each test cell's verdict (``grading.verdicts``), which ``grading/run/summary.py`` reports.

Every cell that was not run, or was stopped, gets an error output whose ``ename`` names
the reason (one of ``REASONS``), which ``grading/run/summary.py`` reports to the instructor.
"""
import functools
import os
import resource
import secrets
import time
from pathlib import Path

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode, default

from nbgrader.coursedir import CourseDirectory

from grading import assignments, sandbox as sandboxing
from grading.sandbox.provisioner import SandboxedKernelSpecs
from grading.steps.notebook_record import NotebookRecord
from grading.verdicts import handout
from grading.verdicts.handin import Limits
from grading.verdicts.judge import Checks, Verdict, functions_in, load_module, module_path
from grading.verdicts.testcell import AuthoringError, is_test_cell, split

# ename of the error output -> what the instructor's summary calls it
REASONS = {
    "CellTimeoutError": "timeout",
    "SubmissionTimeout": "timeout",
    "KernelUnresponsive": "timeout",
    "MemoryError": "memory",
    "KernelDied": "crash",
    "NotRunAfterCrash": "crash",
    "NotRunAfterTimeout": "timeout",
}


def limit_memory(max_bytes):
    """Run in the kernel's process before it starts: cap its address space."""
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


def error_output(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class BoundedClient(AsyncKernelClient):
    """jupyter_client's kernel client whose sockets drop any message larger than
    ``max_message_bytes`` before reading it (ZeroMQ's ZMQ_MAXMSGSIZE)."""

    max_message_bytes = 80 * 2**20

    def _context_default(self):  # jupyter_client's own, which it destroys when the channels stop
        context = super()._context_default()
        context.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)
        return context


class IopubWatch:
    """Notices when ZeroMQ dropped the kernel client's iopub connection (it does so, for good,
    when a message exceeds ZMQ_MAXMSGSIZE), and connects a new iopub channel.

    The drop is seen on a socket monitor; the new channel is ready once it delivers the
    status messages of a kernel_info request, so no output of the next cell is lost.
    """

    EVENTS = zmq.EVENT_DISCONNECTED | zmq.EVENT_CLOSED

    def __init__(self, kc):
        self.kc = kc
        self.arm()

    def arm(self):
        self.async_monitor = self.kc.iopub_channel.socket.get_monitor_socket(self.EVENTS)
        self.monitor = zmq.Socket.shadow(self.async_monitor.underlying)

    def dropped(self):
        """Has the iopub connection been dropped since the last look?"""
        from zmq.utils.monitor import recv_monitor_message
        found = False
        while True:
            try:
                recv_monitor_message(self.monitor, zmq.NOBLOCK)
                found = True
            except zmq.Again:
                return found

    async def reconnect(self, timeout=10.0):
        """Replace the iopub channel by a new one, and wait until it delivers."""
        old = self.kc.iopub_channel
        try:
            old.socket.disable_monitor()
        except zmq.ZMQError:
            pass
        self.async_monitor.close()
        self.kc._iopub_channel = None  # jupyter_client makes a new channel on next access
        old.close()
        self.kc.iopub_channel.start()
        self.arm()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg_id = self.kc.kernel_info()
            try:
                while True:
                    msg = await self.kc.iopub_channel.get_msg(timeout=0.5)
                    if msg["parent_header"].get("msg_id") == msg_id:
                        return True
            except Exception:  # queue.Empty: the subscription is not there yet
                continue
        return False


class HandIns:
    """The hand-ins that arrive while one test cell runs: only those of its output stream,
    only ``display_data`` with the hand-in MIME type, at most ``max_bytes`` in all."""

    def __init__(self, index, token, max_bytes):
        self.index, self.token, self.max_bytes = index, token, max_bytes
        self.texts, self.size, self.too_large = [], 0, False

    def add(self, text):
        text = text if isinstance(text, str) else ""
        self.size += len(text)
        if self.size > self.max_bytes:
            self.too_large = True
        else:
            self.texts.append(text)


#: Why the grading process itself stopped a cell (the ename of the error it writes -> reason)
STOPPED = {"CellTimeoutError": "timeout", "SubmissionTimeout": "timeout",
           "KernelUnresponsive": "timeout", "KernelDied": "crash",
           "NotRunAfterCrash": "crash", "NotRunAfterTimeout": "timeout",
           "UnreadableOutput": "bad results", "OutputTooLarge": "bad results"}


class GuardedExecute(Execute):
    """Execute with a memory cap, a per-submission time budget and crash recovery."""

    memory_limit_mib = Integer(
        4096, help="Address-space limit of the kernel that runs a submission, in MiB (0: none)."
    ).tag(config=True)
    submission_timeout = Integer(
        900, help="Seconds all cells of one submission may take together (0: no limit)."
    ).tag(config=True)
    interrupt_grace = Integer(
        10, help="Seconds a kernel has to answer again after a timed-out cell is interrupted."
    ).tag(config=True)
    max_output_bytes = Integer(
        2_000_000, help="Output kept per cell, in bytes of text; the rest is dropped."
    ).tag(config=True)
    sandbox = Bool(
        True, help="Run each kernel in a bubblewrap sandbox (grading/sandbox/bwrap.py). Without it, "
        "the student's code runs with the grader's rights."
    ).tag(config=True)
    max_processes = Integer(
        128, help="Processes and threads the sandboxed kernel's user may have at once."
    ).tag(config=True)
    sandbox_tmpfs_mib = Integer(
        512, help="Size of each of the sandbox's writable folders (/tmp, the working folder)."
    ).tag(config=True)
    sandbox_uid_base = Integer(
        1_000_000_000, help="As root, the kernel runs as this user id plus the grading "
        "process's pid: an id no account has, different for every concurrent grading process."
    ).tag(config=True)
    checks_module = Unicode(
        "", help="The assignment's checks module: <source>/<assignment>/<name>.py in the "
        "instructor's course, which the grader imports to run the test cells' checks (default: "
        "the one the assignment's assignment.toml names, grading/assignments.py)."
    ).tag(config=True)
    max_hand_in_mib = Integer(
        64, help="What one test cell's kernel code may hand out to the grader, in MiB of JSON."
    ).tag(config=True)
    max_message_mib = Integer(
        80, help="The largest message the grader takes from a kernel, in MiB: a larger one is "
        "dropped by ZeroMQ before it is read (ZMQ_MAXMSGSIZE), so no output can fill the "
        "grading process's memory."
    ).tag(config=True)
    # No tag lets a cell skip execution: nbclient's default, "skip-execution", would let a
    # student tag a test cell and keep its points without running it.
    skip_cells_with_tag = Unicode("\0no tag skips a cell while grading")

    # ipykernel's kernel writes no output for seconds while it frees gigabytes; a late
    # output is not a reason to give up on the kernel.
    raise_on_iopub_timeout = False

    def create_kernel_manager(self):
        """nbclient's kernel manager; with ``sandbox``, its kernel specs name the sandbox's
        kernel provisioner (grading/sandbox/provisioner.py) with this submission's settings."""
        km = super().create_kernel_manager()
        if self.sandbox:
            folder = Path((self.resources or {}).get("metadata", {}).get("path") or os.getcwd())
            km.kernel_spec_manager = SandboxedKernelSpecs(parent=km, settings=dict(
                files=str(folder), workdir_name=folder.name,
                uid=self.sandbox_uid_base + os.getpid(), max_processes=self.max_processes,
                tmpfs_mib=self.sandbox_tmpfs_mib, memory_mib=self.memory_limit_mib))
        return km

    def start_new_kernel(self, **kwargs):  # nbconvert's synchronous path starts kernels here
        if self.memory_limit_mib:
            kwargs["preexec_fn"] = functools.partial(limit_memory, self.memory_limit_mib * 2**20)
        super().start_new_kernel(**kwargs)
        if self.sandbox:
            self.last_sandbox = self.km.provisioner.sandbox

    @default("timeout_func")
    def _budgeted_timeout(self):
        return self.cell_timeout

    def cell_timeout(self, cell):
        """nbclient's ``timeout_func``: the seconds ``cell`` may run.

        ``Execute.timeout``, but no more than what is left of ``submission_timeout``; the
        probe that checks a kernel after an interrupt gets ``interrupt_grace``.
        """
        if cell.metadata.get("probe"):
            return self.interrupt_grace
        timeout = self.timeout if self.timeout and self.timeout > 0 else None
        if self.submission_timeout and self._deadline is not None:
            left = max(1, int(self._deadline - time.monotonic()))
            timeout = left if timeout is None else min(timeout, left)
        return timeout

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = None
        self._output_bytes = {}
        self._stopped = None  # (ename, evalue) once the kernel is gone
        self._failure = None  # (ename, evalue) the grading process gave the current cell
        self._hand_ins = None  # HandIns of the test cell running now
        self._installed = False
        self._iopub_watch = None
        self._checks = None
        self._verdicts = {}
        self.last_sandbox = None  # the Sandbox of this notebook's kernel, once it starts
        if self.sandbox:
            sandboxing.check_once()
        start = time.monotonic()
        nb, resources = super().preprocess(nb, resources, km)
        record = NotebookRecord.setdefault(nb)
        record[NotebookRecord.SECONDS] = round(time.monotonic() - start, 1)
        record[NotebookRecord.SANDBOX] = (self.last_sandbox.description() if self.last_sandbox
                                          else sandboxing.NONE)
        record[NotebookRecord.VERDICTS] = self._verdicts
        return nb, resources

    def checks(self):
        """The assignment's checks (its module from the instructor's source/), loaded once."""
        if self._checks is None:
            info = (self.resources or {}).get("nbgrader", {})
            coursedir = CourseDirectory(parent=self)
            assignment = info.get("assignment", "")
            name = self.checks_module or assignments.load(assignment, coursedir.root).checks_module
            path = module_path(coursedir.root, coursedir.source_directory, assignment, name)
            module = load_module(path, f"_grader_checks.{assignment or 'assignment'}.{name}")
            functions = [c.metadata.nbgrader["grade_id"] for c in self.nb.cells
                         if c.metadata.get("nbgrader", {}).get("solution")]
            self._checks = Checks(module, name, functions,
                                  Limits(max_bytes=self.max_hand_in_mib * 2**20))
        return self._checks

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        if not is_test_cell(cell):
            return self.run_cell(cell, resources, index)
        try:
            checks = self.checks()
            test = split(cell.source, checks.provided)
        except (AuthoringError, OSError, ImportError, SyntaxError) as error:  # the course's fault
            self.log.error("test cell %s cannot be graded: %s", cell.metadata.nbgrader.grade_id, error)
            return self.give(cell, Verdict.failed("error", f"the grader could not run this test "
                                                  f"cell ({error}); tell your instructor", "GraderError")), resources
        token = secrets.token_hex(16)
        source, self._hand_ins = cell.source, HandIns(index, token, self.max_hand_in_mib * 2**20)
        cell.source = test.kernel_source(handout.call(token))
        try:
            cell, resources = self.run_cell(cell, resources, index)
        finally:
            cell.source, hand_ins, self._hand_ins = source, self._hand_ins, None
        return self.give(cell, self.verdict(cell, index, test, hand_ins, checks)), resources

    def verdict(self, cell, index, test, hand_ins, checks):
        """The test cell's verdict, from what the grading process saw and what was handed in."""
        if self._failure is not None:
            ename, evalue = self._failure
            return Verdict.failed(STOPPED.get(ename, "error"), evalue, ename)
        if hand_ins.too_large:
            return Verdict.failed("bad results", f"this test cell handed out more than "
                                  f"{self.max_hand_in_mib} MiB of results")
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        kernel_error = (errors[0].get("ename", "Error"), errors[0].get("evalue", "")) if errors else None
        if kernel_error and kernel_error[0] == "MemoryError":
            return Verdict.failed("memory", f"MemoryError: {kernel_error[1]}".rstrip(": "), "MemoryError")
        functions = {}
        if test.reads & set(checks.functions):  # the loop limits read the functions' source
            student = [c.source for c in self.nb.cells[:index] if c.cell_type == "code" and (
                c.metadata.get("nbgrader", {}).get("solution")
                or not c.metadata.get("nbgrader", {}).get("grade_id"))]
            functions = functions_in(student, checks.functions)
        return checks.judge(test, hand_ins.texts, hand_ins.token, functions,
                            cell.metadata.nbgrader.grade_id, kernel_error)

    def give(self, cell, verdict):
        """Write ``verdict`` as the test cell's only output (nbgrader scores it from there)."""
        cell.outputs = [] if verdict.passed else [error_output(verdict.ename or "AssertionError",
                                                               verdict.message)]
        self._verdicts[cell.metadata.nbgrader.grade_id] = verdict.as_record()
        return cell

    def run_cell(self, cell, resources, index):
        """Run one code cell under the limits; the grading process notes why it stopped one."""
        self._failure = None
        if not self._installed and self.kc is not None:
            self._install_hand_out()
        if self._deadline is None and self.submission_timeout:
            self._deadline = time.monotonic() + self.submission_timeout
        if self._stopped is None and self._deadline is not None and time.monotonic() >= self._deadline:
            self._stopped = ("SubmissionTimeout",
                             f"not run: the submission's {self.submission_timeout} s were spent "
                             "before this cell")
        if self._stopped is not None:
            cell.outputs = [error_output(*self._stopped)]
            self._failure = self._stopped
            return cell, resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._kernel_gone(cell, "KernelDied",
                              "the kernel died while running this cell (os._exit, exit(), "
                              "a crash in compiled code, or the memory limit)")
            return cell, resources
        except CellTimeoutError as error:  # no output within nbclient's iopub timeout
            self._kernel_gone(cell, "KernelUnresponsive", str(error).splitlines()[0])
            return cell, resources
        except Exception as error:  # a message the client could not read (JSON nested 10^5 deep)
            self._failure = ("UnreadableOutput", f"the kernel sent output the grader could not "
                             f"read ({type(error).__name__}); the cell's outputs were dropped")
            self.log.warning("Cell %s: %s", index, self._failure[1])
            cell.outputs = [error_output(*self._failure)]
            return cell, resources
        if self._failure is not None and self._failure[0] == "CellTimeoutError":
            self._check_responsive(cell)
        if self._iopub_watch is not None and self._iopub_watch.dropped():
            # a message over max_message_mib: ZeroMQ dropped it, and the connection with it
            self._failure = ("OutputTooLarge", f"the kernel sent a message larger than "
                             f"{self.max_message_mib} MiB; the grader dropped it unread")
            self.log.warning("Cell %s: %s", index, self._failure[1])
            cell.outputs.append(error_output(*self._failure))
            if not run_sync(self._iopub_watch.reconnect)():
                self._kernel_gone(cell, "KernelUnresponsive", "the grader could not reconnect "
                                  "to the kernel's output after an oversized message")
        return cell, resources

    def _install_hand_out(self):
        """Before the notebook's first cell: the hand-out module, in the kernel's sys.modules."""
        self._installed = True
        try:
            self.wait_for_reply(
                self.kc.execute(handout.install_code(), store_history=False, silent=True),
                NotebookNode(cell_type="code", source="", metadata={"probe": True}))
        except (DeadKernelError, CellTimeoutError) as error:
            self.log.warning("could not install the hand-out in the kernel: %s", error)

    async def async_start_new_kernel_client(self):
        """nbclient's client start, with a client whose sockets refuse messages larger than
        ``max_message_mib``."""
        self.km.client_factory = type("BoundedClient", (BoundedClient,),
                                      {"max_message_bytes": self.max_message_mib * 2**20})
        kc = await super().async_start_new_kernel_client()
        self._iopub_watch = IopubWatch(self.kc)
        return kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def on_cell_executed(self, **kwargs):
        """nbclient's hook after a cell: a reply the grading process made itself (nbclient's
        error_on_timeout has no header) means the cell ran out of time."""
        super().on_cell_executed(**kwargs)
        reply = kwargs.get("execute_reply") or {}
        if "header" not in reply and reply.get("content", {}).get("ename") == "CellTimeoutError":
            self._failure = ("CellTimeoutError", "the cell ran longer than its time limit and "
                             "was interrupted")

    def _check_responsive(self, cell):
        """After an interrupted timeout: is the kernel free again? If not, shut it down."""
        try:
            reply = self.wait_for_reply(
                self.kc.execute("pass", store_history=False, silent=True),
                NotebookNode(cell_type="code", source="pass", metadata={"probe": True}))
        except (DeadKernelError, CellTimeoutError):
            reply = None
        if reply is None or reply["content"].get("status") != "ok":
            self._kernel_gone(cell, "KernelUnresponsive",
                              f"the kernel ignored the interrupt after the timeout and was shut "
                              f"down {self.interrupt_grace} s later")

    def _kernel_gone(self, cell, ename, evalue):
        self._failure = (ename, evalue)
        self.log.warning("Cell %s: %s: %s", cell.metadata.get("nbgrader", {}).get("grade_id", "?"),
                         ename, evalue)
        cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
        cell.outputs.append(error_output(ename, evalue))
        where = cell.metadata.get("nbgrader", {}).get("grade_id") or "an earlier cell"
        after = "NotRunAfterCrash" if ename == "KernelDied" else "NotRunAfterTimeout"
        self._stopped = (after, f"not run: the kernel stopped in {where} ({ename})")
        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception as error:  # already dead: nothing to shut down
            self.log.debug("shutting down a stopped kernel: %s", error)

    def output(self, outs, msg, display_id, cell_index):
        """Take hand-ins out of the notebook; keep at most ``max_output_bytes`` of the rest."""
        content = msg.get("content", {})
        data = content.get("data")
        if isinstance(data, dict) and handout.MIME_TYPE in data:
            hand_ins = self._hand_ins
            if hand_ins is not None and hand_ins.index == cell_index and msg["msg_type"] == "display_data":
                hand_ins.add(data[handout.MIME_TYPE])
            else:
                self.log.warning("cell %s: a hand-in outside its test cell was ignored", cell_index)
            return None
        if self._hand_ins is not None:  # a test cell: its outputs are replaced by the verdict,
            display_id = None  # so nothing may later update them through a display id
        size = len(content.get("text", "")) + sum(len(str(v)) for v in (data or {}).values())
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used + size > self.max_output_bytes and msg["msg_type"] != "error":
            if used <= self.max_output_bytes:
                outs.append(NotebookNode(output_type="stream", name="stdout", text=(
                    f"\n[output beyond {self.max_output_bytes} bytes dropped by the grader]\n")))
            return None
        return super().output(outs, msg, display_id, cell_index)
