"""How ``GuardedExecute`` starts its kernels in the sandbox through jupyter_client's public
extension point: a kernel spec that names the course's kernel provisioner
(grading/sandbox/provisioner.py), registered as an entry point in pyproject.toml.

No kernel is started here; tests/test_sandbox.py runs one through the provisioner.
"""
import os
from importlib.metadata import entry_points

import nbformat
import pytest
from jupyter_client.provisioning import KernelProvisionerFactory

from grading.sandbox import bwrap as sandbox
from grading.steps.execute import GuardedExecute
from grading.sandbox.provisioner import SandboxProvisioner


def kernel_manager(folder, **traits):
    executor = GuardedExecute(**traits)
    executor.nb = nbformat.v4.new_notebook()
    executor.nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    executor.resources = {"metadata": {"path": str(folder)}}
    return executor.create_kernel_manager()


def test_the_provisioner_is_registered_under_its_name():
    found = entry_points(group=sandbox.PROVISIONERS, name=sandbox.PROVISIONER_NAME)
    assert [ep.load() for ep in found] == [SandboxProvisioner]


def test_the_kernel_spec_names_the_provisioner_with_the_submissions_settings(tmp_path):
    folder = tmp_path / "em_prankster"
    km = kernel_manager(folder, max_processes=24, sandbox_tmpfs_mib=64, memory_limit_mib=1024)
    assert km.kernel_spec.metadata["kernel_provisioner"] == {
        "provisioner_name": "em-sandbox",
        "config": {"files": str(folder), "workdir_name": "em_prankster",
                   "uid": GuardedExecute().sandbox_uid_base + os.getpid(), "max_processes": 24,
                   "tmpfs_mib": 64, "memory_mib": 1024}}


def test_jupyter_client_makes_the_sandbox_provisioner_from_that_spec(tmp_path):
    km = kernel_manager(tmp_path / "em_prankster", max_processes=24)
    provisioner = KernelProvisionerFactory.instance().create_provisioner_instance(
        "a-kernel-id", km.kernel_spec, parent=km)
    assert isinstance(provisioner, SandboxProvisioner)
    assert (provisioner.files, provisioner.max_processes) == (str(tmp_path / "em_prankster"), 24)
    assert provisioner.sandbox is None  # made just before the launch


def test_without_the_sandbox_the_kernel_spec_is_jupyters(tmp_path):
    km = kernel_manager(tmp_path, sandbox=False)
    assert "kernel_provisioner" not in km.kernel_spec.metadata


def test_an_unregistered_provisioner_stops_grading_with_the_fix(monkeypatch):
    monkeypatch.setattr(sandbox, "entry_points", lambda **select: [])
    with pytest.raises(sandbox.SandboxUnavailable, match=r"make venv"):
        sandbox.check()
