"""The kernels' control groups (grading/sandbox/control_groups.py): cgroup v2 against a fake tree,
cgroup v1 for real where this machine has it.

The fake cgroup v2 tree is a temporary folder with the files the kernel's interface
(Documentation/admin-guide/cgroup-v2.rst) shows: ``cgroup.controllers``,
``cgroup.subtree_control``, ``cgroup.procs`` and ``cgroup.kill``. It holds plain files, so
the tests check what the code writes there, not what the kernel would then do. Process ids
put in it are of no process (above the kernel's pid_max), or of a child a test started.
"""
import io
import os
import subprocess
from pathlib import Path

import pytest

from grading.sandbox import control_groups
from grading.run import parallel, summary
from grading.sandbox.control_groups import NO_CGROUP, NoGroup, V1Group, V2Group, control_group

NOBODY = 2**22 + 7  # above pid_max (at most 2**22): no process has it
MiB = 2**20


def fake_v2(tmp_path, own="/grading.service", controllers="cpu io memory pids",
            subtree="", procs=(NOBODY, NOBODY + 1)):
    """A cgroup v2 tree whose grader is in ``own``; the kwargs for ``control_group()``."""
    root = tmp_path / "unified"
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpuset cpu io memory hugetlb pids rdma misc\n")
    (root / "cgroup.subtree_control").write_text("cpu io memory pids\n")
    (root / "cgroup.procs").write_text("")
    group = root / own.lstrip("/")
    group.mkdir(parents=True, exist_ok=True)
    (group / "cgroup.controllers").write_text(controllers + "\n")
    (group / "cgroup.subtree_control").write_text(subtree + "\n" if subtree else "")
    (group / "cgroup.procs").write_text("".join(f"{pid}\n" for pid in procs))
    membership = tmp_path / "cgroup"
    membership.write_text(f"0::{own}\n")
    return dict(v1_root=tmp_path / "no-v1", v2_root=root, membership=membership)


def v1_hierarchies():
    own = control_groups.own_cgroups()
    return [c for c in control_groups.CONTROLLERS if c in own and os.access(
        control_groups.below(control_groups.V1_ROOT / c, own[c]), os.W_OK)]


def lines(path):
    return path.read_text().split()


def test_v2_delegated_group_gets_the_kernels_group_with_all_three_limits(tmp_path):
    where = fake_v2(tmp_path)
    group = control_group("em-sandbox-a", 24, 512 * MiB, **where)
    base = where["v2_root"] / "grading.service"
    assert isinstance(group, V2Group)
    assert group.paths == [base / "em-sandbox-a"]
    assert lines(group.paths[0] / "pids.max") == ["24"]
    assert lines(group.paths[0] / "memory.max") == [str(512 * MiB)]
    assert lines(group.paths[0] / "cpu.weight") == ["100"]
    assert group.description() == "own cgroup v2 (cpu, pids, memory)"


def test_v2_moves_the_grader_into_a_leaf_before_enabling_controllers(tmp_path):
    """The no-internal-processes rule: the group's processes go to em-grader/."""
    where = fake_v2(tmp_path)
    control_group("em-sandbox-a", 24, **where)
    base = where["v2_root"] / "grading.service"
    assert lines(base / "em-grader" / "cgroup.procs") == [str(NOBODY), str(NOBODY + 1)]
    assert lines(base / "cgroup.subtree_control") == ["+cpu", "+pids", "+memory"]


def test_v2_a_grader_already_in_the_leaf_uses_its_parent(tmp_path):
    where = fake_v2(tmp_path, subtree="cpu memory pids")
    base = where["v2_root"] / "grading.service"
    (base / "em-grader").mkdir()
    (base / "em-grader" / "cgroup.procs").write_text(f"{NOBODY}\n")
    where["membership"].write_text("0::/grading.service/em-grader\n")
    group = control_group("em-sandbox-b", 24, **where)
    assert group.paths == [base / "em-sandbox-b"]
    assert lines(base / "cgroup.subtree_control") == ["cpu", "memory", "pids"]  # unchanged
    assert lines(base / "em-grader" / "cgroup.procs") == [str(NOBODY)]  # nothing moved


def test_v2_at_the_root_of_a_cgroup_namespace_nothing_moves(tmp_path):
    """A container's own root is exempt from the no-internal-processes rule."""
    where = fake_v2(tmp_path, own="/")
    (where["v2_root"] / "cgroup.subtree_control").write_text("")
    group = control_group("em-sandbox-c", 24, **where)
    assert group.paths == [where["v2_root"] / "em-sandbox-c"]
    assert not (where["v2_root"] / "em-grader").exists()
    assert lines(where["v2_root"] / "cgroup.subtree_control") == ["+cpu", "+pids", "+memory"]


def test_v2_without_delegation_there_is_no_group(tmp_path, monkeypatch):
    """The grader's group is not writable (as root every file is: deny it as another user
    would be denied)."""
    where = fake_v2(tmp_path)
    base = where["v2_root"] / "grading.service"
    real_access = os.access
    monkeypatch.setattr(control_groups.os, "access", lambda path, mode: (
        False if Path(path) == base or Path(path).parent == base else real_access(path, mode)))
    group = control_group("em-sandbox-d", 24, **where)
    assert isinstance(group, NoGroup) and group.description() == NO_CGROUP
    assert "not delegated" in group.reason
    assert sorted(p.name for p in base.iterdir()) == ["cgroup.controllers", "cgroup.procs",
                                                      "cgroup.subtree_control"]


def test_v2_uses_the_controllers_the_parent_gives(tmp_path):
    where = fake_v2(tmp_path, controllers="io memory")
    group = control_group("em-sandbox-e", 24, 512 * MiB, **where)
    assert group.controllers == ["memory"]
    assert sorted(p.name for p in group.paths[0].iterdir()) == ["memory.max"]
    assert group.description() == "own cgroup v2 (memory)"


def test_v2_without_any_of_the_controllers_there_is_no_group(tmp_path):
    where = fake_v2(tmp_path, controllers="io")
    group = control_group("em-sandbox-f", 24, **where)
    assert isinstance(group, NoGroup)
    assert "none of cpu, pids, memory is available" in group.reason


def test_v2_the_kernel_joins_its_group(tmp_path):
    group = control_group("em-sandbox-g", 24, **fake_v2(tmp_path))
    child = os.fork()
    if child == 0:  # as the child that becomes bwrap does, before exec
        group.join()
        os._exit(0)
    os.waitpid(child, 0)
    assert lines(group.paths[0] / "cgroup.procs") == [str(child)]


def test_v2_kills_with_cgroup_kill_where_the_kernel_has_it(tmp_path):
    """cgroup.kill is written, not signals sent: the fake tree's process lives on."""
    group = control_group("em-sandbox-h", 24, **fake_v2(tmp_path))
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        (group.paths[0] / "cgroup.procs").write_text(f"{sleeper.pid}\n")
        (group.paths[0] / "cgroup.kill").write_text("")
        group.kill()
        assert lines(group.paths[0] / "cgroup.kill") == ["1"]
        assert sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()


def test_v2_without_cgroup_kill_each_process_is_killed(tmp_path):
    """Kernels before 5.14 have no cgroup.kill: SIGKILL by pid."""
    group = control_group("em-sandbox-i", 24, **fake_v2(tmp_path))
    sleeper = subprocess.Popen(["sleep", "60"])
    (group.paths[0] / "cgroup.procs").write_text(f"{sleeper.pid}\n")
    group.kill()
    assert sleeper.wait(timeout=10) == -9


def test_neither_v1_nor_v2_says_why(tmp_path):
    where = fake_v2(tmp_path)
    (where["v2_root"] / "cgroup.controllers").unlink()  # a tmpfs, as where v1 is mounted
    group = control_group("em-sandbox-j", 24, **where)
    assert isinstance(group, NoGroup) and group.description() == NO_CGROUP
    assert group.paths == [] and group.pids() == set()
    reason = control_groups.diagnose(**where)
    assert reason.startswith("cgroup v1: no writable cpu, pids, memory hierarchy")
    assert f"cgroup v2: no cgroup v2 hierarchy at {where['v2_root']}" in reason


def test_neither_is_said_once_at_the_start_and_on_every_students_line(tmp_path, monkeypatch):
    """The grading run's sandbox check (a real bwrap) on a host with neither."""
    where = fake_v2(tmp_path)
    (where["v2_root"] / "cgroup.controllers").unlink()
    monkeypatch.setattr(control_groups, "V1_ROOT", where["v1_root"])
    monkeypatch.setattr(control_groups, "V2_ROOT", where["v2_root"])
    monkeypatch.setattr(control_groups, "MEMBERSHIP", where["membership"])
    out = io.StringIO()
    parallel.announce_sandbox(True, out)
    said = out.getvalue().splitlines()
    assert said[0].startswith("each kernel in a sandbox: bubblewrap") and said[0].endswith(NO_CGROUP)
    assert [line for line in said if line.startswith("WARNING")] == said[1:]
    assert len(said) == 2 and "cgroup v2: no cgroup v2 hierarchy at" in said[1]
    described = said[0].split(": ", 1)[1]
    assert summary.how_isolated(described) == "sandboxed  (no cgroup limits)"


@pytest.mark.skipif(not v1_hierarchies(), reason="this machine has no writable cgroup v1 hierarchy")
def test_with_control_groups_the_start_and_the_lines_say_sandboxed():
    out = io.StringIO()
    parallel.announce_sandbox(True, out)
    said = out.getvalue().splitlines()
    assert len(said) == 1 and "own cgroup v1" in said[0], said
    assert summary.how_isolated(said[0].split(": ", 1)[1]) == "sandboxed"


def test_the_grading_process_own_groups_are_read_in_both_formats(tmp_path):
    membership = tmp_path / "cgroup"
    membership.write_text("9:name=systemd:/\n8:pids:/\n4:memory:/job/7\n2:cpu,cpuacct:/\n0::/\n")
    assert control_groups.own_cgroups(membership) == {
        "name=systemd": "/", "pids": "/", "memory": "/job/7", "cpu": "/", "cpuacct": "/",
        "": "/"}


@pytest.mark.skipif(not v1_hierarchies(), reason="this machine has no writable cgroup v1 hierarchy")
def test_v1_for_real_limits_a_child_and_kills_what_is_left(tmp_path):
    group = control_group(f"em-sandbox-test-{os.getpid()}", 24, 512 * MiB)
    assert isinstance(group, V1Group) and group.controllers == v1_hierarchies()
    child = subprocess.Popen(["sleep", "60"], preexec_fn=group.join)
    try:
        membership = control_groups.own_cgroups(Path(f"/proc/{child.pid}/cgroup"))
        for controller, path in zip(group.controllers, group.paths):
            assert membership[controller].endswith(f"/em-sandbox/{path.name}")
        limits = {"pids": ("pids.max", "24"), "memory": ("memory.limit_in_bytes", str(512 * MiB))}
        for controller, path in zip(group.controllers, group.paths):
            if controller in limits:
                assert lines(path / limits[controller][0]) == [limits[controller][1]]
        assert group.pids() == {child.pid}
        group.remove()
        assert child.wait(timeout=10) == -9
        assert not any(path.exists() for path in group.paths)
    finally:
        child.kill()
        child.wait()
