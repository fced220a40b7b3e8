"""The kernel provisioner that starts each grading kernel inside its sandbox.

jupyter_client starts every kernel through a *kernel provisioner*, its documented extension
point for where and how a kernel runs: a kernel spec names one in its metadata
(``"kernel_provisioner": {"provisioner_name": ..., "config": {...}}``) and jupyter_client
finds it by that name among the ``jupyter_client.kernel_provisioners`` entry points, where
``pyproject.toml`` registers ``SandboxProvisioner`` as ``PROVISIONER_NAME``.

``SandboxProvisioner`` is jupyter_client's ``LocalProvisioner`` with the kernel in a
``grading.sandbox.Sandbox``:

- before the launch, it makes the sandbox (its sockets' folder and control group), has the
  kernel manager connect through the ``ipc`` transport in that folder, has the kernel
  interrupted by a message on the control channel (a SIGINT to the process group would
  reach bwrap, not the kernel in a session of its own), and wraps the kernel's command in
  bwrap;
- the child process enters the control group before it becomes bwrap;
- once the kernel is gone, it kills what is left in the group and removes the group and the
  sockets' folder.

``SandboxedKernelSpecs`` is a kernel spec manager whose every spec names this provisioner
with one submission's settings; ``GuardedExecute`` (grading/steps/execute.py) gives one to the
kernel manager of each notebook it runs.
"""
import os
import subprocess
from functools import partial

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Dict, Instance, Integer, Unicode

from grading.sandbox.bwrap import PROVISIONER_NAME, Sandbox, as_root


def run_steps(*steps):
    """In the kernel's child process, before exec: each step that is given, in order."""
    for step in steps:
        if step is not None:
            step()


class SandboxProvisioner(LocalProvisioner):
    """A local kernel, started inside a bubblewrap sandbox (``grading.sandbox.Sandbox``)."""

    files = Unicode(help="Host folder whose files are bound read-only into the working folder.")
    workdir_name = Unicode(help="Name of the working folder, /home/student/<workdir_name>.")
    uid = Integer(help="As root: the user id the kernel runs as.")
    max_processes = Integer(128, help="Processes and threads the kernel may have at once.")
    tmpfs_mib = Integer(512, help="Size of each of the sandbox's writable folders, in MiB.")
    memory_mib = Integer(0, help="Memory the kernel's control group may use (0: no cap).")
    sandbox = Instance(Sandbox, allow_none=True, help="The sandbox, made before the launch.")

    async def pre_launch(self, **kwargs):
        """Make the sandbox, connect through its sockets, and wrap the command in bwrap."""
        if self.sandbox is None:  # a restart keeps the sandbox
            self.sandbox = Sandbox(self.files, self.workdir_name, uid=self.uid,
                                   max_processes=self.max_processes,
                                   tmpfs_mib=self.tmpfs_mib, memory_mib=self.memory_mib)
        manager = self.parent
        manager.transport = "ipc"
        manager.cache_ports = False  # ports are socket names here, not TCP ports
        manager.ip = self.sandbox.ip()
        manager.connection_file = self.sandbox.connection_file()
        self.kernel_spec.interrupt_mode = "message"
        kwargs = await super().pre_launch(**kwargs)  # writes the connection file
        if as_root():  # written 0600 by root: the kernel's user must read it
            os.chown(manager.connection_file, self.sandbox.uid, self.sandbox.uid)
        kwargs["cmd"] = self.sandbox.command(kwargs["cmd"], env=kwargs.get("env"))
        return kwargs

    async def launch_kernel(self, cmd, **kwargs):
        """Launch bwrap; its process enters the control group first."""
        kwargs["preexec_fn"] = partial(run_steps, kwargs.get("preexec_fn"), self.sandbox.preexec)
        # ipykernel, without a parent it can watch in its own process namespace, prints how to
        # connect to it on stdout; the notebook's output goes through the sockets anyway.
        kwargs.setdefault("stdout", subprocess.DEVNULL)
        return await super().launch_kernel(cmd, **kwargs)

    async def cleanup(self, restart=False):
        """Once the kernel is gone: kill what is left of it, remove its sandbox."""
        await super().cleanup(restart=restart)
        if not restart and self.sandbox is not None:
            self.sandbox.cleanup()


class SandboxedKernelSpecs(KernelSpecManager):
    """The installed kernel specs, each started by ``SandboxProvisioner`` with ``settings``."""

    settings = Dict(help="The provisioner's config: files, workdir_name, uid, max_processes, "
                    "tmpfs_mib, memory_mib (see SandboxProvisioner).")

    def get_kernel_spec(self, kernel_name):
        spec = super().get_kernel_spec(kernel_name)
        spec.metadata = {**spec.metadata, "kernel_provisioner": {
            "provisioner_name": PROVISIONER_NAME, "config": dict(self.settings)}}
        return spec
