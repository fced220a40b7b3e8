"""One harness for the servers the tests and the benchmarks start: a free port, a process,
wait until it answers, stop it with everything it started.

``Server`` starts a command in a process group (a session) of its own, with its output in a
log file, and waits until ``ready()`` says it answers, the process ends (an error, with the
log's tail) or the time is up. ``stop()`` sends SIGTERM to the group, waits, then SIGKILLs
what is left. JupyterLab (tests/support/browser.py), the JupyterHub (tests/support/hub.py) and
PostgreSQL (``PostgresServer`` below) are each one; they say only how to start and how to
tell that they answer.
"""
import glob
import os
import pathlib
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

__all__ = ["PostgresServer", "Server", "ServerError", "answers_http", "free_port", "accepts"]


class ServerError(AssertionError):
    """A server that did not start: the message has the end of its log."""


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers_http(url, status=200):
    """A ``ready`` check: ``url`` answers with ``status``."""
    def ready():
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status == status
        except (urllib.error.URLError, ConnectionError, OSError):
            return False
    return ready


def accepts(port, host="127.0.0.1"):
    """A ``ready`` check: something accepts connections on ``host:port``."""
    def ready():
        try:
            with socket.create_connection((host, port), timeout=2):
                return True
        except OSError:
            return False
    return ready


class Server:
    """A server process: start it, wait until it answers, stop it and all it started.

    Parameters
    ----------
    name : str
        What it is, for messages ("jupyter lab").
    command : list of str
    ready : callable
        Returns True once the server answers (``answers_http``, ``accepts``).
    log_path : path
        Its standard output and error.
    cwd, env : optional
        For the process. ``user`` and ``group`` (ids): run as that user (as root).
    startup_timeout : float
        Seconds it may take to answer.
    """

    def __init__(self, name, command, ready, log_path, cwd=None, env=None, user=None, group=None,
                 startup_timeout=120):
        self.name = name
        self.log_path = pathlib.Path(log_path)
        self.log = open(self.log_path, "a")
        extra = {"user": user, "group": group, "extra_groups": []} if user is not None else {}
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True, **extra)
        try:
            self.wait_until_ready(ready, startup_timeout)
        except BaseException:
            self.stop()
            raise

    def wait_until_ready(self, ready, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"{self.name} exited with {self.process.returncode}:\n{self.log_text()}")
            if ready():
                return
            time.sleep(0.2)
        raise ServerError(f"{self.name} did not answer within {timeout} s:\n{self.log_text()}")

    def log_text(self, tail=6000):
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-tail:]

    def stop(self, timeout=30, signal_first=signal.SIGTERM):
        """``signal_first`` to its process group, wait up to ``timeout`` s, then SIGKILL to
        whatever is left of the group (a kernel a server left, say)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal_first)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait(timeout=10)
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def pg_bin(name):
    """Debian's PostgreSQL program ``name`` (initdb, postgres, createdb)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise ServerError(f"PostgreSQL's {name} not found under /usr/lib/postgresql: "
                          "run `make postgres` (apt-get install postgresql)")
    return found[-1]


class PostgresServer(Server):
    """A throw-away PostgreSQL for tests and measurements (tests/test_postgres.py,
    bench/gradebook_writers.py).

    Debian's PostgreSQL (``make postgres``): ``initdb``, then the ``postgres`` server itself in
    the foreground, both as the unprivileged ``postgres`` user the package creates, in a
    folder of its own under /var/tmp, on 127.0.0.1 and a free port; ``stop()`` stops it (a
    fast shutdown) and removes the folder. Trust authentication, localhost only: not for a
    course's real gradebook.
    """

    def __init__(self, database="em_prankster", user="grader", max_connections=200):
        try:
            self.owner = pwd.getpwnam("postgres")
        except KeyError:
            raise ServerError("no `postgres` user: install Debian's postgresql (`make postgres`)") from None
        self.dir = tempfile.mkdtemp(prefix="em-prankster-pg-", dir="/var/tmp")
        os.chown(self.dir, self.owner.pw_uid, self.owner.pw_gid)
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.user, self.database = user, database
        self.url = f"postgresql://{user}@127.0.0.1:{self.port}/{database}"
        try:
            self._as_postgres([pg_bin("initdb"), "-D", self.data, "-U", user, "-A", "trust",
                               "--no-sync", "-E", "UTF8"])
            super().__init__(
                "postgres", [pg_bin("postgres"), "-D", self.data, "-p", str(self.port), "-k", self.dir,
                             "-c", "listen_addresses=127.0.0.1", "-c", f"max_connections={max_connections}",
                             "-c", "fsync=off"],
                accepts(self.port), os.path.join(self.dir, "log"), cwd=self.dir,
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                user=self.owner.pw_uid, group=self.owner.pw_gid, startup_timeout=60)
            self.new_database(database)
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise

    def new_database(self, name):
        """Create the database ``name``; return its URL."""
        for _ in range(50):  # the port answers a moment before the server takes connections
            proc = self._as_postgres([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                                      "-U", self.user, name], check=False)
            if proc.returncode == 0:
                return f"postgresql://{self.user}@127.0.0.1:{self.port}/{name}"
            time.sleep(0.2)
        raise ServerError(f"createdb {name} failed:\n{proc.stdout}\n{proc.stderr}\n{self.log_text()}")

    def _as_postgres(self, cmd, check=True):
        proc = subprocess.run(cmd, user=self.owner.pw_uid, group=self.owner.pw_gid, extra_groups=[],
                              cwd=self.dir, capture_output=True, text=True, timeout=120,
                              env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
        if check and proc.returncode != 0:
            raise ServerError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def stop(self, timeout=30, signal_first=signal.SIGINT):  # SIGINT: postgres's fast shutdown
        try:
            super().stop(timeout, signal_first)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
