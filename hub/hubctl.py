"""Set up, start, stop and remove the course's JupyterHub on this machine (as root).

    python hub/hubctl.py serve [--state DIR] [--port 8000]   # set up if needed, start, wait (make hub)
    python hub/hubctl.py up    [--state DIR] [--port 8000]   # users, exchange, course; no hub
    python hub/hubctl.py down  [--state DIR]                 # stop everything, remove the users

``up`` creates local Unix users (an instructor and students, each with a random password
written to ``DIR/passwords.json``, readable by root only), nbgrader's exchange in
``DIR/exchange`` (world-writable, as nbgrader's docs ask; nbgrader itself makes the inbound
and feedback folders unlistable), a copy of the course in the instructor's home
(``~/em-prankster``, its assignment generated there), and each user's Jupyter settings: the
course id, the exchange and how submissions are copied into it (without the course's released
files, ``grading/steps/exchange_submit.py``) for everyone, the formgrader, Create Assignment and
course list disabled for students. Homes are private (0700). The hub runs from the environment in
``/opt/em-prankster-hub`` (``make hub-env``: Debian's Python 3.11, readable by every user,
``hub/requirements.txt`` and ``hub/constraints.txt``; configurable-http-proxy from npm,
``hub/package-lock.json``) with ``hub/jupyterhub_config.py``, on 127.0.0.1 only.
tests/test_hub.py sets up with the same functions, users of its own, removed after the test;
watching the running hub and logging in through its page are the test's (tests/support/hub.py).
"""
import argparse
import json
import os
import pathlib
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import time

import psutil

from coursetools.course_copy import copy_course
from coursetools.servers import free_port
from grading.steps import exchange_submit

HUB = pathlib.Path(__file__).resolve().parent
COURSE = HUB.parent
PREFIX = pathlib.Path(os.environ.get("EM_PRANKSTER_HUB_PREFIX", "/opt/em-prankster-hub"))
DEFAULT_STATE = pathlib.Path("/srv/em-prankster-hub")
COURSE_ID = "em-prankster"
# JupyterLab settings for every user: no "get Jupyter news?" pop-up.
LAB_SETTINGS = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
STUDENT_DISABLED_SERVER = ["nbgrader.server_extensions.formgrader",
                           "nbgrader.server_extensions.course_list"]
STUDENT_DISABLED_LAB = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                        "@jupyter/nbgrader:course-list"]


class HubError(RuntimeError):
    pass


def require_environment(prefix=PREFIX):
    """The hub's environment, or a clear failure saying how to build it."""
    needed = [prefix / "bin" / "jupyterhub", prefix / "bin" / "jupyterhub-singleuser",
              prefix / "bin" / "nbgrader", prefix / "node" / "node_modules" / ".bin" / "configurable-http-proxy"]
    missing = [str(p) for p in needed if not os.access(p, os.X_OK)]
    if missing:
        raise HubError(f"the hub's environment is incomplete ({', '.join(missing)} missing): "
                       "run `make hub-env` (as root)")
    if os.geteuid() != 0:
        raise HubError("the hub's set-up creates Unix users and runs servers as them: run it as root")


def user_env(name, prefix=PREFIX):
    home = pwd.getpwnam(name).pw_dir
    return {"HOME": home, "USER": name, "LOGNAME": name, "MPLBACKEND": "Agg", "LANG": "C.UTF-8",
            "PATH": f"{prefix}/bin:/usr/local/bin:/usr/bin:/bin"}


def run_as(name, cmd, cwd=None, check=True, timeout=600, prefix=PREFIX, **kwargs):
    """Run ``cmd`` as the Unix user ``name`` (its uid, gid and groups, its home, the hub's PATH)."""
    entry = pwd.getpwnam(name)
    proc = subprocess.run(cmd, cwd=cwd or entry.pw_dir, env=user_env(name, prefix), user=entry.pw_uid,
                          group=entry.pw_gid, extra_groups=[], capture_output=True, text=True,
                          timeout=timeout, **kwargs)
    if check and proc.returncode != 0:
        raise HubError(f"{' '.join(map(str, cmd))} as {name} failed ({proc.returncode}):\n"
                       f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def write_as(name, path, text, mode=0o644):
    """Write ``text`` to ``path`` (making its folders) owned by the user ``name``."""
    entry = pwd.getpwnam(name)
    path = pathlib.Path(path)
    home = pathlib.Path(entry.pw_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in [path.parent, *path.parent.parents]:
        if parent == home or home not in parent.parents:
            break
        os.chown(parent, entry.pw_uid, entry.pw_gid)
    path.write_text(text)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    os.chmod(path, mode)


def create_user(name, password):
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--user-group", name],
                       check=True, capture_output=True, text=True)
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n", check=True, capture_output=True,
                   text=True)
    os.chmod(pwd.getpwnam(name).pw_dir, 0o700)  # no student reads another's home


def jupyter_settings(name, exchange, student, course_dir=None):
    home = pathlib.Path(pwd.getpwnam(name).pw_dir)
    # The formgrader reads the configuration in the server's working folder (the home), so
    # the instructor's also loads the course's nbgrader_config.py (the course folder, its
    # gradebook and grading steps); run in the course folder, nbgrader reads it there last.
    course = ("" if course_dir is None else
              f"load_subconfig({str(pathlib.Path(course_dir) / 'nbgrader_config.py')!r})\n")
    write_as(name, home / ".jupyter" / "nbgrader_config.py",
             "# Written by em-prankster's hub/hubctl.py: the course and its exchange.\n"
             "c = get_config()\n"
             f"{course}"
             f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
             f"c.Exchange.root = {str(exchange)!r}\n"
             # a submission leaves out the course's released files (the photos)
             f"c.ExchangeFactory.submit = {exchange_submit.IMPORT_PATH!r}\n")
    for plugin, values in LAB_SETTINGS.items():
        write_as(name, home / ".jupyter" / "lab" / "user-settings" / f"{plugin}.jupyterlab-settings",
                 json.dumps(values))
    if student:  # what `jupyter server extension disable --user` and labextension disable write
        write_as(name, home / ".jupyter" / "jupyter_server_config.json", json.dumps(
            {"ServerApp": {"jpserver_extensions": {ext: False for ext in STUDENT_DISABLED_SERVER}}},
            indent=2))
        write_as(name, home / ".jupyter" / "labconfig" / "page_config.json", json.dumps(
            {"disabledExtensions": {ext: True for ext in STUDENT_DISABLED_LAB}}, indent=2))


def install_course(instructor, course_dir, source=COURSE, prefix=PREFIX):
    """Copy the course into the instructor's home and generate its assignments there (those
    ``assignments.toml`` lists)."""
    from grading import assignments

    course_dir = pathlib.Path(course_dir)
    names = assignments.names(source)
    for name in names:
        for generated in assignments.load(name, source).extra.get("generated", []):
            if not (source / "source" / name / generated).exists():
                raise HubError(f"{source}/source/{name}/{generated} is missing: run `make data` first")
    if course_dir.exists():
        shutil.rmtree(course_dir)
    copy_course(source, course_dir)
    entry = pwd.getpwnam(instructor)
    for path in [course_dir, *course_dir.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    for name in names:
        run_as(instructor, [str(prefix / "bin" / "nbgrader"), "generate_assignment", name,
                            "--force", "--log-level=WARN"], cwd=course_dir, prefix=prefix)


def up(state_dir=DEFAULT_STATE, port=8000, instructor="emp-instructor",
       students=("emp-student1", "emp-student2", "emp-student3", "emp-student4"), prefix=PREFIX):
    """Users, exchange, course and settings; returns the state (also in DIR/hub.json)."""
    require_environment(prefix)
    state_dir = pathlib.Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(state_dir, 0o711)  # users reach the exchange inside, list nothing
    exchange = state_dir / "exchange"
    exchange.mkdir(exist_ok=True)
    os.chmod(exchange, 0o777)   # nbgrader's docs: the exchange is writable by everyone
    passwords = {name: secrets.token_urlsafe(12) for name in [instructor, *students]}
    for name, password in passwords.items():
        create_user(name, password)
    course_dir = pathlib.Path(pwd.getpwnam(instructor).pw_dir) / COURSE_ID
    for name in passwords:
        jupyter_settings(name, exchange, student=name != instructor,
                         course_dir=course_dir if name == instructor else None)
    install_course(instructor, course_dir, prefix=prefix)
    state = {"dir": str(state_dir), "prefix": str(prefix), "port": port, "hub_port": free_port(),
             "proxy_api_port": free_port(), "instructor": instructor, "students": list(students),
             "exchange": str(exchange), "course": str(course_dir)}
    pw_file = state_dir / "passwords.json"
    pw_file.touch(mode=0o600)
    pw_file.write_text(json.dumps(passwords, indent=2))
    (state_dir / "hub.json").write_text(json.dumps(state, indent=2))
    return state


def load(state_dir=DEFAULT_STATE):
    path = pathlib.Path(state_dir) / "hub.json"
    if not path.exists():
        raise HubError(f"{path} is missing: run `python hub/hubctl.py up` first")
    return json.loads(path.read_text())


def passwords(state):
    return json.loads((pathlib.Path(state["dir"]) / "passwords.json").read_text())


def user_pids(names):
    uids = set()
    for name in names:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            pass
    return [proc.pid for proc in psutil.process_iter(["uids"])
            if proc.info["uids"] and proc.info["uids"].effective in uids]


def kill_user_processes(names, timeout=10):
    """End, by process id, every process of the course's users (their servers, kernels)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = user_pids(names)
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        while user_pids(names) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not user_pids(names):
            return


def down(state):
    """Stop the users' processes, remove the users with their homes, and the state folder."""
    names = [state["instructor"], *state["students"]]
    pid_file = pathlib.Path(state["dir"]) / "jupyterhub.pid"
    if pid_file.exists():
        try:
            os.killpg(int(pid_file.read_text().strip()), signal.SIGTERM)
        except (ValueError, ProcessLookupError, PermissionError):
            pass
    kill_user_processes(names)
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        subprocess.run(["userdel", "--remove", name], capture_output=True, text=True)
    shutil.rmtree(state["dir"], ignore_errors=True)


def hub_command(state):
    """(command, environment) that runs the hub of ``state`` in the foreground."""
    env = {"PATH": f"{state['prefix']}/bin:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "HOME": "/root", "EM_PRANKSTER_HUB_STATE": str(pathlib.Path(state["dir"]) / "hub.json")}
    return [f"{state['prefix']}/bin/jupyterhub", "-f", str(HUB / "jupyterhub_config.py")], env


def serve(args):
    """Set up if need be, then run the hub in the foreground until Ctrl-C or SIGTERM, which
    stop it and the users' servers (JupyterHub's own clean-up)."""
    start = time.perf_counter()
    state_dir = pathlib.Path(args.state)
    if (state_dir / "hub.json").exists() and not args.fresh:
        state = load(state_dir)
        state["hub_port"], state["proxy_api_port"] = free_port(), free_port()
        (state_dir / "hub.json").write_text(json.dumps(state, indent=2))
    else:
        state = up(state_dir, args.port)
    command, env = hub_command(state)
    print(f"set up in {time.perf_counter() - start:.1f} s; JupyterHub on http://127.0.0.1:{state['port']}\n"
          f"  instructor: {state['instructor']} (course in {state['course']}, formgrader in the Nbgrader menu)\n"
          f"  students:   {', '.join(state['students'])}\n"
          f"  passwords:  {state_dir / 'passwords.json'} (root only)\n"
          "Ctrl-C (or SIGTERM) stops the hub and the users' servers; "
          "`python hub/hubctl.py down` also removes the users.", flush=True)
    hub = subprocess.Popen(command, cwd=state["dir"], env=env)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda number, frame: hub.send_signal(signal.SIGTERM))
    returned = hub.wait()
    kill_user_processes([state["instructor"], *state["students"]])
    return 0 if returned in (0, -signal.SIGTERM) else returned


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["serve", "up", "down"])
    parser.add_argument("--state", default=str(DEFAULT_STATE), help="the hub's folder (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="the hub's port on 127.0.0.1")
    parser.add_argument("--fresh", action="store_true", help="serve: set up again (new passwords, course copy)")
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return serve(args)
        if args.command == "up":
            state = up(args.state, args.port)
            print(f"set up in {state['dir']}; `python hub/hubctl.py serve` starts the hub")
        else:
            down(load(args.state))
            print(f"removed the hub's users and {args.state}")
    except HubError as error:
        print(f"hubctl: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
