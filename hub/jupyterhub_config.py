"""JupyterHub configuration of the em-prankster course (make hub, tests/test_hub.py).

Everything particular to one hub (ports, users, folders) is in the state file that
``hub/hubctl.py up`` wrote; its path is in EM_PRANKSTER_HUB_STATE. The hub listens on
127.0.0.1 only; users log in with their Unix password (PAM); each gets a JupyterLab server
of their own, started as their own Unix user from the hub's environment.
"""
import json
import os

c = get_config()  # noqa: F821 (provided by traitlets)

state = json.load(open(os.environ["EM_PRANKSTER_HUB_STATE"]))
prefix = state["prefix"]  # the hub's environment (/opt/em-prankster-hub)

c.JupyterHub.bind_url = f"http://127.0.0.1:{state['port']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = state["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{state['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [os.path.join(prefix, "node", "node_modules", ".bin",
                                                "configurable-http-proxy")]
c.JupyterHub.db_url = f"sqlite:///{os.path.join(state['dir'], 'jupyterhub.sqlite')}"
c.JupyterHub.cookie_secret_file = os.path.join(state["dir"], "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(state["dir"], "jupyterhub.pid")
c.JupyterHub.log_level = "INFO"

# Unix users and their passwords (PAM); only the course's users may log in.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(state["students"]) | {state["instructor"]}
c.Authenticator.admin_users = {state["instructor"]}

# Each server runs the environment's jupyterhub-singleuser as its user. nbgrader shells out
# to alembic, so the environment's bin/ comes first on PATH.
c.Spawner.cmd = [os.path.join(prefix, "bin", "jupyterhub-singleuser")]
c.Spawner.environment = {"PATH": f"{prefix}/bin:/usr/local/bin:/usr/bin:/bin",
                         "MPLBACKEND": "Agg"}
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.args = ["--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]


def instructor_in_course(spawner):
    """The instructor's server opens in the course folder, where the formgrader finds
    nbgrader_config.py (the course, the gradebook); students start in their home."""
    if spawner.user.name == state["instructor"]:
        spawner.notebook_dir = state["course"]


c.Spawner.pre_spawn_hook = instructor_in_course
