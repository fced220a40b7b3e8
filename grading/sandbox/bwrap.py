"""Run each submission's kernel in a sandbox made by bubblewrap (``bwrap``).

The student's code runs in the kernel, so the kernel is the one process that must not reach
anything but its own submission. ``Sandbox`` is the ``bwrap`` command line for one kernel;
the course's kernel provisioner (``grading/sandbox/provisioner.py``, which
``grading/steps/execute.py``'s ``GuardedExecute`` selects) starts the kernel through it, with:

- **files**: a new, empty root. The system (``/usr`` and its links), the Python installation
  and its virtual environment are bound read-only at their own paths; the submission's
  files (``data_em.npy``, ``em_grading.py``, ...; never a notebook: the one being graded
  holds its hidden tests) are bound read-only into
  ``/home/student/<assignment>``, the working folder, which is a small private ``tmpfs``
  like ``/tmp``. The kernel may write there and in ``/tmp``; what it writes is in memory
  and disappears with it. Nothing of the course is in the sandbox: no ``source/``,
  ``release/``, gradebook, configuration, ``grading/``, other students, home folder or
  repository, and no ``/etc`` beyond what the dynamic linker needs.
- **talking to nbgrader**: jupyter_client's ``ipc`` transport, through Unix sockets in a
  private folder (``/tmp/em-sandbox-*`` on the host) bound into the sandbox at the same path;
  the connection file is there too.
- **network**: its own network namespace, with only a loopback interface: no route
  anywhere, and its loopback is not the host's.
- **processes**: its own PID namespace (it sees only its own processes and cannot signal
  the grader or other kernels), its own IPC and UTS namespaces, a new session, and
  ``--die-with-parent``: when the grading process goes, the sandbox and everything the
  student started in it go too.
- **user**: run as root (a grading server, CI), the grader drops the kernel to a user id no
  account has, one per grading process (``uid_base`` + the grading process's pid), with no
  capabilities and ``no_new_privs``; run as an ordinary user, bwrap makes a user namespace
  and the kernel is ``nobody`` inside it, with the rights of that user outside.
- **a fair share of the processor** (where the machine lets the grader make control groups:
  cgroup v1, as on these machines, or a delegated cgroup v2 subtree;
  ``grading/sandbox/control_groups.py``): each kernel and everything it starts is one group, which
  the scheduler weighs like one process, so a student whose code starts 100 busy processes
  slows only their own kernel, not the student graded beside them; the group may hold at
  most ``max_processes`` tasks, and when the kernel stops every process left in it is
  killed; with the ``memory`` controller, the group together may use at most the kernel's
  memory limit (the address-space limit caps each process; this caps a kernel and all its
  children, and what they write in the sandbox's in-memory folders).
- **limits**: the address space (``GuardedExecute.memory_limit_mib``, set on the process
  that starts bwrap) and, inside, at most ``max_processes`` processes and threads for the
  kernel's user (a fork bomb fails with ``BlockingIOError`` in the student's cell), no core
  files, and ``tmpfs_mib`` for each of ``/tmp`` and the working folder.

``check()`` starts a sandbox once and raises ``SandboxUnavailable`` with the reason and how
to fix it when that is not possible; grading then stops, unless it was asked to run without
the sandbox (``python -m grading.run --no-sandbox``, or
``c.GuardedExecute.sandbox = False``), in which case the summary says so for every student.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path

from grading.sandbox.control_groups import control_group

HOME = "/home/student"
# Read by the dynamic linker, Python's time module and fontconfig; nothing else of /etc is bound.
ETC = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/fonts"]
# Passed from the grader's environment into the kernel's; everything else is dropped.
PASSED_ENV = ("NBGRADER_EXECUTION", "MPLBACKEND", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
              "MKL_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "PYTHONHASHSEED",
              "LANG", "LC_ALL", "TZ")
FIX = ("Install bubblewrap (Debian: apt-get install bubblewrap; `make venv` does it), and "
       "grade as root or on a system that allows unprivileged user namespaces "
       "(sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0; inside a "
       "container, one started with user namespaces allowed). To grade without the sandbox "
       "anyway (every submission then runs with the grader's rights, and the summary says "
       "so): python -m grading.run ASSIGNMENT --no-sandbox, or "
       "c.GuardedExecute.sandbox = False in nbgrader_config.py.")


NONE = "none: graded with the grader's rights (sandbox turned off)"

# The kernel provisioner that starts kernels in the sandbox (grading/sandbox/provisioner.py),
# as pyproject.toml registers it among jupyter_client's provisioners.
PROVISIONER_NAME = "em-sandbox"
PROVISIONERS = "jupyter_client.kernel_provisioners"


class SandboxUnavailable(RuntimeError):
    """bwrap is missing or cannot make a sandbox here; the message says why and what to do."""


def bwrap():
    return shutil.which("bwrap") or "/usr/bin/bwrap"


@lru_cache(maxsize=None)
def version():
    try:
        out = subprocess.run([bwrap(), "--version"], capture_output=True, text=True, timeout=10)
    except OSError:
        return None
    return out.stdout.strip() or None


def as_root():
    return os.geteuid() == 0


def system_binds():
    """bwrap arguments for the read-only system: /usr, its links, the dynamic linker's /etc."""
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for path in ETC:
        args += ["--ro-bind-try", path, path]
    # Python and its environment, each read-only at its own path (the venv's python links
    # into the base installation).
    for prefix in sorted({os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix),
                          sys.prefix}):
        if not prefix.startswith("/usr/") and prefix != "/usr":
            # bwrap would give the folders above it the host's modes (/root is 0700)
            for parent in reversed(Path(prefix).parents[:-1]):
                if str(parent) != "/tmp":  # the sandbox's own /tmp keeps its mode
                    args += ["--perms", "0755", "--dir", str(parent)]
            args += ["--ro-bind", prefix, prefix]
    return args


@lru_cache(maxsize=None)
def matplotlib_font_list():
    """The grading process's matplotlib font cache (a JSON file), built if need be; or None."""
    try:
        import matplotlib
        from matplotlib import font_manager  # noqa: F401 (importing it writes the cache)
    except ImportError:
        return None
    found = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    return str(found[-1]) if found else None


class Sandbox:
    """The bwrap command line for one kernel, and the host folder of its sockets.

    ``files``: host folder whose entries are bound read-only into the working folder
    (``/home/student/<workdir_name>``); ``uid``: the user the kernel runs as when the
    grader is root.
    """

    def __init__(self, files, workdir_name, uid, max_processes=128, tmpfs_mib=512,
                 memory_mib=0):
        self.files = Path(files)
        self.workdir = f"{HOME}/{workdir_name}"
        self.uid = uid if as_root() else 65534
        self.max_processes = max_processes
        self.tmpfs_bytes = str(tmpfs_mib * 2**20)
        self.sockets = Path(tempfile.mkdtemp(prefix="em-sandbox-"))
        if as_root():  # the kernel's user makes its sockets there
            os.chown(self.sockets, self.uid, self.uid)
        self.cgroup = control_group(self.sockets.name, max_processes, memory_mib * 2**20)

    def description(self):
        user = f"uid {self.uid}" if as_root() else "nobody in a user namespace"
        return (f"{version() or 'bwrap'}: {user}, no network, own process namespace, "
                f"at most {self.max_processes} processes, {self.cgroup.description()}")

    def preexec(self):
        """In the child that becomes bwrap, before exec: enter the control group."""
        self.cgroup.join()

    def command(self, kernel_cmd, env=None):
        """``kernel_cmd`` (python -m ipykernel_launcher -f ...) run inside the sandbox, with
        the variables of ``env`` that are in ``PASSED_ENV``."""
        args = [bwrap(), "--die-with-parent", "--new-session",
                "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup-try", "--hostname", "sandbox"]
        if as_root():  # real privileges: no user namespace; setpriv drops to self.uid
            args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        else:  # an ordinary user: a user namespace, nobody inside it
            args += ["--unshare-user", "--uid", "65534", "--gid", "65534"]
        # The private /tmp first: anything bound below /tmp (a course or a virtual environment
        # under /tmp, the sockets' folder) must be bound after it, or the tmpfs hides it.
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--perms", "1777", "--size", self.tmpfs_bytes, "--tmpfs", "/tmp"]
        args += system_binds()
        args += ["--bind", str(self.sockets), str(self.sockets),
                 "--perms", "0777", "--size", self.tmpfs_bytes, "--tmpfs", HOME,
                 "--perms", "0777", "--dir", self.workdir]
        for entry in sorted(self.files.iterdir()):
            # nbgrader copies files; a link would lead out. The notebooks are left out: the one
            # being graded holds its hidden tests, which must never reach the kernel.
            if not entry.is_symlink() and entry.suffix != ".ipynb":
                args += ["--ro-bind", str(entry), f"{self.workdir}/{entry.name}"]
        font_list = matplotlib_font_list()
        if font_list:  # matplotlib would otherwise rebuild it in every kernel (a few tenths of a second)
            args += ["--perms", "0777", "--dir", "/tmp/matplotlib",
                     "--ro-bind", font_list, f"/tmp/matplotlib/{Path(font_list).name}"]
        args += ["--chdir", self.workdir, "--clearenv"]
        inside = {"HOME": HOME, "USER": "student", "LOGNAME": "student",
                  "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
                  "TMPDIR": "/tmp", "MPLCONFIGDIR": "/tmp/matplotlib",
                  "IPYTHONDIR": "/tmp/ipython", "JUPYTER_RUNTIME_DIR": "/tmp/jupyter",
                  "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"}
        inside.update({k: v for k, v in (env or {}).items() if k in PASSED_ENV})
        for key, value in sorted(inside.items()):
            args += ["--setenv", key, value]
        args.append("--")
        if as_root():
            args += ["/usr/bin/setpriv", f"--reuid={self.uid}", f"--regid={self.uid}",
                     "--clear-groups", "--inh-caps=-all", "--no-new-privs", "--"]
        args += ["/usr/bin/prlimit", f"--nproc={self.max_processes}", "--core=0", "--"]
        return args + list(kernel_cmd)

    def connection_file(self):
        return str(self.sockets / "kernel.json")

    def ip(self):
        """The ipc transport's path prefix: sockets are ``<ip>-<port>``."""
        return str(self.sockets / "kernel")

    def cleanup(self):
        self.cgroup.remove()  # kills anything the kernel left running
        shutil.rmtree(self.sockets, ignore_errors=True)  # does not follow links planted there


def check(timeout=60):
    """Start one sandbox as grading would (without a kernel); raise SandboxUnavailable if not."""
    if not shutil.which("bwrap") and not os.path.exists("/usr/bin/bwrap"):
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed, so submissions cannot "
                                 "be graded in a sandbox. " + FIX)
    if not entry_points(group=PROVISIONERS, name=PROVISIONER_NAME):
        raise SandboxUnavailable(
            f"the course's kernel provisioner ({PROVISIONER_NAME}) is not registered with "
            "jupyter_client: install the course's own code into this Python environment "
            "again: `make venv` (pip install --no-deps -e .), or `make hub-env` for the hub's.")
    files = Path(tempfile.mkdtemp(prefix="em-sandbox-check-"))
    (files / "probe.txt").write_text("ok\n")
    box = Sandbox(files, "probe", uid=1_000_000_000 + os.getpid())
    probe = ("import os, socket; assert open('probe.txt').read() == 'ok\\n'; "
             "assert [n for _, n in socket.if_nameindex()] == ['lo']; print(os.getuid())")
    try:
        run = subprocess.run(box.command([sys.executable, "-c", probe]), preexec_fn=box.preexec,
                             capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SandboxUnavailable(f"bwrap could not be run ({error}). " + FIX) from error
    finally:
        box.cleanup()
        shutil.rmtree(files, ignore_errors=True)
    if run.returncode != 0 or run.stdout.strip() != str(box.uid):
        said = (run.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1]
        raise SandboxUnavailable(f"bwrap could not make a sandbox here: {said}. " + FIX)
    return box.description()


@lru_cache(maxsize=None)
def check_once():
    """``check()``, once per grading process."""
    return check()
