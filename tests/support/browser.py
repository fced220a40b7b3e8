"""A JupyterLab server and a headless Chromium for the browser tests (tests/test_browser.py,
tests/test_payloads.py, tests/test_hub.py).

The server runs this interpreter's JupyterLab with nbgrader's extensions on a free localhost
port, with its own Jupyter config, runtime and settings folders in a temporary directory, so
nothing from the machine's ~/.jupyter takes part. Chromium is Debian's (/usr/bin/chromium),
driven by Playwright; Playwright's own browser download is not used.
"""
import contextlib
import json
import os
import pathlib
import secrets
import shutil
import signal
import sys

from coursetools.servers import Server, answers_http, free_port
from support.course import nbgrader_env
CHROMIUM = os.environ.get("EM_PRANKSTER_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium's own connections are refused by the
# closed network and it stalls; a fresh profile per run keeps the runs independent.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# JupyterLab settings for the test: no "get Jupyter news?" pop-up over the notebook, and every
# cell rendered (not only those in view), so that the test can read any cell and a screenshot
# of the whole notebook shows every output.
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


@contextlib.contextmanager
def time_limit(seconds, what):
    """Raise TimeoutError in the test if the block takes more than ``seconds`` (SIGALRM): a
    browser or server that hangs fails the test instead of stalling the suite."""
    def expire(signum, frame):
        raise TimeoutError(f"{what} took more than {seconds} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def require_browser():
    """Playwright's sync API, or a clear failure saying what to install."""
    if not shutil.which(CHROMIUM) and not os.access(CHROMIUM, os.X_OK):
        raise AssertionError(f"{CHROMIUM} not found: install Debian's chromium "
                             "(apt-get install -y --no-install-recommends chromium; .ci/run does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise AssertionError(f"playwright is not installed ({error}): run `make venv` "
                             "(it is pinned in requirements.txt)") from error
    return sync_playwright


def launch_chromium(playwright, profile_dir, width=1400, height=1000):
    """A persistent Chromium context with a fresh profile in ``profile_dir``."""
    return playwright.chromium.launch_persistent_context(
        str(profile_dir), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": width, "height": height})


class LabServer(Server):
    """``jupyter lab`` serving ``root`` on 127.0.0.1 (coursetools/servers.py's harness); use as a
    context manager or call stop().

    ``python`` is the interpreter whose JupyterLab runs (default: this one, with its
    environment's extensions); ``tests/payloads.py`` runs another checkout's for comparison."""

    def __init__(self, root, state_dir, startup_timeout=120, python=sys.executable):
        self.root = pathlib.Path(root)
        self.state = pathlib.Path(state_dir)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        env = nbgrader_env()
        for name, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                          ("IPYTHONDIR", "ipython"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                          ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")]:
            env[name] = str(self.state / sub)
            (self.state / sub).mkdir(parents=True, exist_ok=True)
        env.pop("JUPYTER_PATH", None)
        for name, values in USER_SETTINGS.items():
            path = self.state / "settings" / f"{name}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        cmd = [str(python), "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0", "--ServerApp.allow_root=True",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
               "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        # The server's working directory is where nbgrader's Validate handler looks for
        # nbgrader_config.py: the student's folder has none, as on a student's machine.
        super().__init__("jupyter lab", cmd, answers_http(f"{self.url}/api/status?token={self.token}"),
                         self.state / "jupyter-lab.log", cwd=self.root, env=env,
                         startup_timeout=startup_timeout)

    def stop(self, timeout=20, signal_first=signal.SIGTERM):
        """Stop the server and its kernels (its own process group), waiting for them to end."""
        super().stop(timeout, signal_first)


# What the page shows of each cell: its prompt ("[3]:", "[*]:", "[ ]:"), each output's MIME
# type and text, and the pixel size of each image (0 when an image did not load).
CELLS_JS = """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')].map(cell => ({
    kind: cell.classList.contains('jp-CodeCell') ? 'code' : 'markdown',
    prompt: (cell.querySelector('.jp-InputPrompt') || {innerText: ''}).innerText.trim(),
    outputs: [...cell.querySelectorAll('.jp-OutputArea-output')].map(o => ({
        mime: o.getAttribute('data-mime-type') || '', text: o.innerText})),
    images: [...cell.querySelectorAll('img')].map(img => ({
        src: img.getAttribute('src') || '', width: img.naturalWidth, height: img.naturalHeight,
        shown_width: img.getBoundingClientRect().width})),
}))"""


class NotebookPage:
    """A notebook open in JupyterLab, driven through its menus, toolbar and keyboard."""

    def __init__(self, page, server, path, interface="lab"):
        """Open ``path`` in JupyterLab (interface "lab") or in Notebook 7 ("notebooks")."""
        self.page = page
        self.path = path
        page.goto(f"{server.url}/{interface}/tree/{path}?token={server.token}" if interface == "lab"
                  else f"{server.url}/{interface}/{path}?token={server.token}")
        self.panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        self.panel.locator(".jp-Notebook .jp-Cell").first.wait_for()
        if interface == "lab":  # Notebook 7 has no status bar to read the kernel's state from
            self.wait_for_kernel_idle()

    def kernel_status(self):
        """The status bar's kernel item, as "Python 3 (ipykernel) | Idle"."""
        return self.page.evaluate("""() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
            .map(e => e.innerText).filter(t => t.includes(' | ')).join(' / ')""")

    def wait_for_kernel_idle(self, timeout=120):
        """Wait until the kernel has started (or finished running) and is idle."""
        try:
            self.page.wait_for_function("""() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                .some(e => / \\| Idle$/.test(e.innerText.trim()))""", timeout=timeout * 1000)
        except Exception as error:
            raise AssertionError(f"the kernel did not become idle within {timeout} s: the status "
                                 f"bar shows {self.kernel_status()!r}") from error

    def kernel_name(self):
        return self.panel.locator(".jp-KernelName").inner_text().strip()

    def cells(self):
        return self.page.evaluate(CELLS_JS)

    def cell(self, index):
        return self.panel.locator(".jp-Notebook .jp-Cell").nth(index)

    def menu(self, menu, item):
        self.page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
        self.page.locator(".lm-Menu-content .lm-Menu-itemLabel").get_by_text(item, exact=True).click()

    def set_cell_text(self, index, text):
        """Replace a code cell's text as a student would paste it: select all, insert."""
        editor = self.cell(index).locator(".cm-content")
        editor.click()
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.insert_text(text)
        self.page.keyboard.press("Escape")  # command mode

    def run_cell(self, index):
        self.cell(index).locator(".cm-content").click()
        self.page.keyboard.press("Control+Enter")
        self.page.keyboard.press("Escape")

    def save(self):
        self.page.keyboard.press("ControlOrMeta+s")
        self.page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").wait_for(state="detached")

    def wait_until_ran(self, index, timeout):
        """Wait until cell ``index`` shows an execution count and no cell is queued or running."""
        self.page.wait_for_function(
            """([index]) => {
                const cells = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')];
                const prompt = c => (c.querySelector('.jp-InputPrompt') || {innerText: ''}).innerText;
                return /\\[\\d+\\]/.test(prompt(cells[index])) && !cells.some(c => prompt(c).includes('*'));
            }""", arg=[index], timeout=timeout * 1000)
        self.wait_for_kernel_idle()

    def validate(self, timeout):
        """Press Validate; return the dialog's locator once nbgrader has answered."""
        self.panel.locator(".jp-Toolbar-item", has_text="Validate").click()
        dialog = self.page.locator(".jp-Dialog")
        dialog.wait_for(timeout=timeout * 1000)
        return dialog
