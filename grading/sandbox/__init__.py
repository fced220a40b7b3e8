"""Kernel isolation: every grading kernel runs in a bubblewrap sandbox.

- ``bwrap``: the sandbox itself (``Sandbox``: bwrap's command line for one kernel), and
  ``check()``, which starts one to see that sandboxes can be made here;
- ``provisioner``: the jupyter_client kernel provisioner that starts a kernel in one
  (``SandboxProvisioner``, registered as ``em-sandbox`` in pyproject.toml), and the kernel spec
  manager that names it (``SandboxedKernelSpecs``);
- ``control_groups``: each kernel's control group (cgroup v1 or v2), its fair share of the
  processor, its process and memory caps.
"""
from grading.sandbox.bwrap import (NONE, PROVISIONER_NAME, PROVISIONERS, Sandbox, SandboxUnavailable,
                                   as_root, check, check_once, version)

__all__ = ["NONE", "PROVISIONER_NAME", "PROVISIONERS", "Sandbox", "SandboxUnavailable", "as_root",
           "check", "check_once", "version"]
