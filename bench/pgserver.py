"""A throw-away PostgreSQL server for the tests (tests/test_postgres.py, bench/gradebook_writers.py).

Debian's PostgreSQL 15 (``make postgres`` installs it with apt): ``initdb`` and ``pg_ctl``
run as the unprivileged ``postgres`` user the package creates, in a folder of their own
under /var/tmp, listening on 127.0.0.1 on a free port (and a Unix socket in that folder);
``stop()`` stops the server and removes the folder. Trust authentication, localhost only:
for tests and measurements, not for a course's real gradebook.
"""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

HUB_PYTHON = "/opt/em-prankster-hub/bin/python"  # has psycopg (hub/requirements.txt)


def pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise AssertionError(f"PostgreSQL's {name} not found under /usr/lib/postgresql: "
                             "run `make postgres` (apt-get install postgresql)")
    return found[-1]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    def __init__(self, database="em_prankster", user="grader", max_connections=200):
        try:
            self.owner = pwd.getpwnam("postgres")
        except KeyError:
            raise AssertionError("no `postgres` user: install Debian's postgresql (`make postgres`)")
        if not os.access(HUB_PYTHON, os.X_OK):
            raise AssertionError(f"{HUB_PYTHON} not found (it has psycopg): run `make hub-env`")
        self.dir = tempfile.mkdtemp(prefix="em-prankster-pg-", dir="/var/tmp")
        os.chown(self.dir, self.owner.pw_uid, self.owner.pw_gid)
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.user, self.database = user, database
        self.url = f"postgresql://{user}@127.0.0.1:{self.port}/{database}"
        self.started = False
        try:
            self._as_postgres([pg_bin("initdb"), "-D", self.data, "-U", user, "-A", "trust",
                               "--no-sync", "-E", "UTF8"])
            self._as_postgres([pg_bin("pg_ctl"), "-D", self.data, "-l", os.path.join(self.dir, "log"),
                               "-w", "-t", "60", "-o",
                               f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                               f"-c max_connections={max_connections} -c fsync=off", "start"])
            self.started = True
            self._as_postgres([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                               "-U", user, database])
        except BaseException:
            self.stop()
            raise

    def new_database(self, name):
        """Create the database ``name``; return its URL."""
        self._as_postgres([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name])
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{name}"

    def _as_postgres(self, cmd):
        proc = subprocess.run(cmd, user=self.owner.pw_uid, group=self.owner.pw_gid, extra_groups=[],
                              cwd=self.dir, capture_output=True, text=True, timeout=120,
                              env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
        if proc.returncode != 0:
            log = os.path.join(self.dir, "log")
            raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n"
                                 f"{proc.stderr}\n{open(log).read()[-3000:] if os.path.exists(log) else ''}")
        return proc

    def stop(self):
        if self.started:
            try:
                self._as_postgres([pg_bin("pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop"])
            finally:
                self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
