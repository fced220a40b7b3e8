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
  (``grading/sandbox.py``) that sees only the submission's own files, has no network, its
  own processes and an unprivileged user, and at most ``max_processes`` processes.

Each autograded notebook records how it was run in its metadata (``grading.sandbox``),
which ``grading/summary.py`` reports for every student.

Every cell that was not run, or was stopped, gets an error output whose ``ename`` names
the reason (one of ``REASONS``), which ``grading/summary.py`` reports to the instructor.
"""
import functools
import os
import resource
import time
from pathlib import Path

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode, default

from grading import sandbox as sandboxing
from grading.sandbox_provisioner import SandboxedKernelSpecs

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
        True, help="Run each kernel in a bubblewrap sandbox (grading/sandbox.py). Without it, "
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
    # No tag lets a cell skip execution: nbclient's default, "skip-execution", would let a
    # student tag a test cell and keep its points without running it.
    skip_cells_with_tag = Unicode("\0no tag skips a cell while grading")

    # ipykernel's kernel writes no output for seconds while it frees gigabytes; a late
    # output is not a reason to give up on the kernel.
    raise_on_iopub_timeout = False

    def create_kernel_manager(self):
        """nbclient's kernel manager; with ``sandbox``, its kernel specs name the sandbox's
        kernel provisioner (grading/sandbox_provisioner.py) with this submission's settings."""
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
        self.last_sandbox = None  # the Sandbox of this notebook's kernel, once it starts
        if self.sandbox:
            sandboxing.check_once()
        start = time.monotonic()
        nb, resources = super().preprocess(nb, resources, km)
        record = nb.metadata.setdefault("grading", {})
        record["seconds"] = round(time.monotonic() - start, 1)
        record["sandbox"] = self.last_sandbox.description() if self.last_sandbox else sandboxing.NONE
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        if self._deadline is None and self.submission_timeout:
            self._deadline = time.monotonic() + self.submission_timeout
        if self._stopped is None and self._deadline is not None and time.monotonic() >= self._deadline:
            self._stopped = ("SubmissionTimeout",
                             f"not run: the submission's {self.submission_timeout} s were spent "
                             "before this cell")
        if self._stopped is not None:
            cell.outputs = [error_output(*self._stopped)]
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
        if any(out.get("ename") == "CellTimeoutError" for out in cell.outputs):
            self._check_responsive(cell)
        return cell, resources

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
        """Keep at most ``max_output_bytes`` of a cell's output; count, then drop the rest."""
        content = msg.get("content", {})
        size = len(content.get("text", "")) + sum(len(str(v)) for v in content.get("data", {}).values())
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used + size > self.max_output_bytes and msg["msg_type"] != "error":
            if used <= self.max_output_bytes:
                outs.append(NotebookNode(output_type="stream", name="stdout", text=(
                    f"\n[output beyond {self.max_output_bytes} bytes dropped by the grader]\n")))
            return None
        return super().output(outs, msg, display_id, cell_index)
