"""One control group per sandboxed kernel: cgroup v1 or v2, whichever the host lets us use.

Each kernel and everything it starts is put into a control group of its own, so that

- the scheduler weighs the group like one process (``cpu``): a student whose code starts
  100 busy processes slows only their own kernel, not the student graded beside them;
- the group holds at most ``max_processes`` tasks (``pids``);
- the group together uses at most the kernel's memory limit (``memory``): the sandbox's
  address-space limit caps each process, this caps a kernel, its children and what they
  write in the sandbox's in-memory folders;
- whatever is still in the group when the kernel stops is killed.

``control_group()`` makes that group with the first of these the host allows:

- **cgroup v1** (these machines): one hierarchy per controller,
  ``/sys/fs/cgroup/<controller>``. The group is made below the grading process's own group
  (``/proc/self/cgroup``) in each hierarchy that exists and is writable, so the machine's
  own limits still hold. ``V1Group``.
- **cgroup v2** (Debian 12, Ubuntu 22.04 and later), written against the kernel's
  Documentation/admin-guide/cgroup-v2.rst: one unified hierarchy at ``/sys/fs/cgroup``.
  A process may only make groups in a subtree *delegated* to it: its group's folder,
  ``cgroup.procs`` and ``cgroup.subtree_control`` writable (systemd's ``Delegate=yes``, a
  user session's ``user@.service``). A controller reaches a group only when its parent
  enables it in ``cgroup.subtree_control``, and a group other than the root that does so
  may hold no processes itself (the "no internal processes" rule). So, once per delegated
  group, the processes in it (the grader) move into a leaf, ``em-grader``, the group
  enables ``cpu``, ``pids`` and ``memory`` (those its parent gives it, listed in
  ``cgroup.controllers``) for its children, and every kernel's group is made beside the
  leaf, with ``cpu.weight``, ``pids.max`` and ``memory.max``. Graders started later are
  born in the leaf and use its parent. ``cgroup.kill`` kills what is left. ``V2Group``.
  As root every group is writable, so writability cannot tell a delegated group from one
  systemd manages: a grader run as root on a cgroup v2 host belongs in a unit with
  ``Delegate=yes`` (or at the root of a container's cgroup namespace).
- **neither**: ``NoGroup``, described as ``NO_CGROUP``; the grading run says so once at
  the start (``NO_CGROUP_HELP`` and ``diagnose()``) and the summary on every student's
  line. The sandbox's own limits (address space, processes per user, its process
  namespace) still hold.

psutil has no interface to control groups, so the grading process's own groups are read
from ``/proc/self/cgroup`` (format in cgroups(7)).
"""
import errno
import os
import signal
import time
from pathlib import Path

V1_ROOT = Path("/sys/fs/cgroup")
V2_ROOT = Path("/sys/fs/cgroup")
MEMBERSHIP = Path("/proc/self/cgroup")
CONTROLLERS = ("cpu", "pids", "memory")
GRADER_LEAF = "em-grader"  # cgroup v2: where the grading processes go (no internal processes)
ONE_PROCESS_WEIGHT = 100  # cgroup v2's default cpu.weight: the group weighs like one process

NO_CGROUP = "no cgroup (shared processor)"
NO_CGROUP_HELP = (
    "kernels get no control group here: neither cgroup v1's cpu, pids and memory "
    "hierarchies nor a cgroup v2 subtree delegated to the grader can be used. Each kernel "
    "still runs in its sandbox, under its address-space and per-user process limits, but "
    "the scheduler weighs each of its processes like a kernel of its own (a kernel that "
    "starts many busy processes slows the others), nothing caps the memory of a kernel and "
    "its children together, and nothing but the sandbox's process namespace ends what a "
    "kernel leaves running. On a cgroup v2 host, grade in "
    "a delegated subtree, for example: systemd-run --user --scope -p Delegate=yes "
    "python -m grading.run ASSIGNMENT (or a systemd service with Delegate=yes).")


class Unusable(Exception):
    """This kind of control group cannot be used here; the message says why."""


def own_cgroups(membership=MEMBERSHIP):
    """This process's groups: ``{controller: path}``, with cgroup v2's group under ``""``.

    Parameters
    ----------
    membership : Path
        A file in the format of ``/proc/<pid>/cgroup``: ``id:controllers:path`` lines,
        ``0::path`` for cgroup v2.
    """
    found = {}
    try:
        for line in Path(membership).read_text().splitlines():
            _, names, path = line.split(":", 2)
            for name in names.split(","):
                found[name] = path
    except (OSError, ValueError):
        pass
    return found


def below(root, path):
    """The folder of the group ``path`` (as /proc/self/cgroup names it) under ``root``."""
    return Path(root) / path.lstrip("/")


def read_pids(procs_file):
    try:
        return {int(p) for p in Path(procs_file).read_text().split()}
    except OSError:
        return set()


def move(pid, group):
    """Move the process ``pid`` into ``group`` (one pid per write, as the kernel requires)."""
    with open(Path(group) / "cgroup.procs", "a") as procs:
        procs.write(f"{pid}\n")


class ControlGroup:
    """What every kind of group does; ``paths`` are its folders (none for ``NoGroup``)."""

    version = None
    controllers = ()

    def __init__(self):
        self.paths = []

    def description(self):
        return f"own cgroup v{self.version} ({', '.join(self.controllers)})"

    def join(self):
        """Run in the child that becomes bwrap, before exec: enter the group."""
        for path in self.paths:
            move(os.getpid(), path)

    def pids(self):
        found = set()
        for path in self.paths:
            found |= read_pids(path / "cgroup.procs")
        return found

    def kill(self):
        """SIGKILL whatever is in the group, until it is empty (for about a second)."""
        for _ in range(50):
            left = self.pids()
            if not left:
                return
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)

    def remove(self):
        """Kill what is left, then remove the (empty) group."""
        self.kill()
        for path in self.paths:
            for _ in range(50):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # the last processes are still being reaped
                    time.sleep(0.02)


class NoGroup(ControlGroup):
    """No control group could be made; ``reason`` says why."""

    def __init__(self, reason=""):
        super().__init__()
        self.reason = reason

    def description(self):
        return NO_CGROUP


class V1Group(ControlGroup):
    """One kernel's group in each of cgroup v1's ``cpu``, ``pids`` and ``memory`` hierarchies
    that exists and is writable below the grading process's own group.

    Parameters
    ----------
    name : str
        The group's name, made below ``<own group>/em-sandbox/``.
    limits : dict
        ``{controller: {file: value}}`` written into the new group.
    own : dict
        The grading process's groups, as ``own_cgroups()`` returns them.
    root : Path
        Where the v1 hierarchies are mounted.
    """

    version = 1

    def __init__(self, name, limits, own, root=V1_ROOT):
        super().__init__()
        self.controllers = []
        for controller in CONTROLLERS:
            if controller not in own:
                continue
            base = below(Path(root) / controller, own[controller])
            if not (base / "cgroup.procs").exists() or not os.access(base, os.W_OK):
                continue
            path = base / "em-sandbox" / name
            try:
                path.mkdir(parents=True, exist_ok=True)
                for key, value in limits.get(controller, {}).items():
                    (path / key).write_text(str(value))
            except OSError:
                try:
                    path.rmdir()
                except OSError:
                    pass
                continue
            self.paths.append(path)
            self.controllers.append(controller)


def delegated(group):
    """Is ``group`` delegated to this process (cgroup-v2.rst, "Model of Delegation")?"""
    return all(os.access(path, os.W_OK) for path in
               (group, group / "cgroup.procs", group / "cgroup.subtree_control"))


def controllers_in(path):
    try:
        return set(Path(path).read_text().split())
    except OSError:
        return set()


def delegated_subtree(root, own_path):
    """Find the grader's delegated cgroup v2 subtree and enable the controllers in it.

    Parameters
    ----------
    root : Path
        Where the unified hierarchy is mounted.
    own_path : str or None
        The grading process's cgroup v2 group (``0::<path>`` in /proc/self/cgroup).

    Returns
    -------
    (Path, list of str)
        The folder below which the kernels' groups are made, and the controllers its
        children get.

    Raises
    ------
    Unusable
        If there is no unified hierarchy at ``root``, the grader's group is not delegated to
        it, none of ``CONTROLLERS`` is available there, or they cannot be enabled.
    """
    root = Path(root)
    if own_path is None or not (root / "cgroup.controllers").is_file():
        raise Unusable(f"no cgroup v2 hierarchy at {root}")
    base = below(root, own_path)
    if base.name == GRADER_LEAF and base != root:  # a grader already moved into the leaf
        base = base.parent
    if not base.is_dir():
        raise Unusable(f"the grader's group {base} is not there")
    if not delegated(base):
        raise Unusable(f"the grader's group {base} is not delegated to it (not writable)")
    wanted = [c for c in CONTROLLERS if c in controllers_in(base / "cgroup.controllers")]
    if not wanted:
        raise Unusable(f"none of {', '.join(CONTROLLERS)} is available in {base} "
                       "(cgroup.controllers: the parent group does not give them)")
    given = enable(base, wanted, inside_root=base == root)
    if not given:
        raise Unusable(f"could not enable {', '.join(wanted)} in {base}")
    return base, given


def empty_into_leaf(base):
    """Move every process of ``base`` into its leaf ``GRADER_LEAF`` (no internal processes)."""
    leaf = base / GRADER_LEAF
    leaf.mkdir(exist_ok=True)
    for pid in sorted(read_pids(base / "cgroup.procs")):
        try:
            move(pid, leaf)
        except ProcessLookupError:  # gone meanwhile
            pass


def enable(base, controllers, inside_root=False):
    """Enable ``controllers`` for the children of ``base``; return those that are.

    A group other than the root may do so only while it holds no processes, so its
    processes move into the leaf first, and again if one arrives meanwhile (EBUSY).
    """
    enabled = controllers_in(base / "cgroup.subtree_control")
    missing = [c for c in controllers if c not in enabled]
    if missing and not inside_root:
        empty_into_leaf(base)
    for controller in missing:
        for _ in range(10):
            try:
                with open(base / "cgroup.subtree_control", "a") as control:
                    control.write(f"+{controller}\n")
                enabled.add(controller)
                break
            except OSError as error:
                if error.errno != errno.EBUSY or inside_root:
                    break
                empty_into_leaf(base)
    return [c for c in controllers if c in enabled]


class V2Group(ControlGroup):
    """One kernel's group in cgroup v2's unified hierarchy, beside the grader's leaf.

    Parameters
    ----------
    name : str
        The group's name, made below ``base``.
    base : Path
        The grader's delegated group (``delegated_subtree()``).
    controllers : list of str
        The controllers ``base`` enables for its children.
    max_processes, memory_bytes : int
        ``pids.max`` and ``memory.max`` (``memory_bytes`` 0: no memory cap).
    """

    version = 2

    def __init__(self, name, base, controllers, max_processes, memory_bytes=0):
        super().__init__()
        self.controllers = list(controllers)
        limits = {"cpu": {"cpu.weight": ONE_PROCESS_WEIGHT},
                  "pids": {"pids.max": max_processes},
                  "memory": {"memory.max": memory_bytes} if memory_bytes else {}}
        path = Path(base) / name
        path.mkdir()
        try:
            for controller in self.controllers:
                for key, value in limits[controller].items():
                    (path / key).write_text(str(value))
        except OSError:
            path.rmdir()
            raise
        self.paths = [path]

    def kill(self):
        """Kill the group and everything below it at once with ``cgroup.kill`` (Linux 5.14
        and later) and wait until it is empty; on older kernels, signal each process."""
        kill_file = self.paths[0] / "cgroup.kill"
        if not kill_file.exists():
            return super().kill()
        if self.pids():
            try:
                kill_file.write_text("1")
            except OSError:
                return super().kill()
        for _ in range(50):
            if not self.pids():
                return
            time.sleep(0.02)


def control_group(name, max_processes, memory_bytes=0, v1_root=None, v2_root=None,
                  membership=None):
    """A new control group for one kernel: cgroup v1 if usable, else v2, else ``NoGroup``.

    Parameters
    ----------
    name : str
        The group's name (the sandbox's folder name: unique on the host).
    max_processes : int
        Tasks the group may hold at once.
    memory_bytes : int
        Memory the group may use together (0: no cap).
    v1_root, v2_root, membership : Path
        Where cgroup v1 and v2 are mounted, and the file that names this process's groups;
        by default ``V1_ROOT``, ``V2_ROOT`` and ``MEMBERSHIP`` (tests point them into a
        temporary folder).
    """
    v1_root = V1_ROOT if v1_root is None else v1_root
    v2_root = V2_ROOT if v2_root is None else v2_root
    own = own_cgroups(MEMBERSHIP if membership is None else membership)
    v1 = V1Group(name, {"pids": {"pids.max": max_processes},
                        "memory": {"memory.limit_in_bytes": memory_bytes} if memory_bytes else {}},
                 own, v1_root)
    if v1.paths:
        return v1
    try:
        base, controllers = delegated_subtree(v2_root, own.get(""))
        return V2Group(name, base, controllers, max_processes, memory_bytes)
    except (Unusable, OSError) as error:
        return NoGroup(f"cgroup v1: no writable {', '.join(CONTROLLERS)} hierarchy "
                       f"below {v1_root}; cgroup v2: {error}")


def diagnose(**where):
    """Why no control group can be made here ('' if one can), for the grading run's warning.

    Parameters
    ----------
    **where
        ``v1_root``, ``v2_root``, ``membership`` as for ``control_group()``.
    """
    group = control_group(f"em-sandbox-diagnose-{os.getpid()}", 1, **where)
    group.remove()
    return getattr(group, "reason", "")
