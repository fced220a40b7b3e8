"""A JupyterHub of the test's own, set up by hub/hubctl.py.

``HubServer`` runs the hub of a set-up state under the servers' harness
(coursetools/servers.py): it answers once ``/hub/api`` does; ``stop()`` ends the hub's
process group (the hub stops the users' servers) and then every process of the course's
users. (The users log in through the hub's page in chromium: tests/test_hub.py.)
"""
from coursetools.servers import Server, answers_http
from hub import hubctl


class HubServer(Server):
    """The running JupyterHub of ``state`` (hubctl.up's)."""

    def __init__(self, state, startup_timeout=120):
        self.state = state
        self.url = f"http://127.0.0.1:{state['port']}"
        command, env = hubctl.hub_command(state)
        super().__init__("jupyterhub", command, answers_http(f"{self.url}/hub/api"),
                         f"{state['dir']}/jupyterhub.log", cwd=state["dir"], env=env,
                         startup_timeout=startup_timeout)

    def stop(self, timeout=30, signal_first=None):
        """SIGTERM to the hub's process group, then SIGKILL to whatever is left of it and of
        the course users' processes."""
        super().stop(timeout)
        hubctl.kill_user_processes([self.state["instructor"], *self.state["students"]])
