"""The browser's side of "nothing a student wrote runs": Jupyter server headers for the formgrader.

A Jupyter server extension (enabled for every server of an environment the course is installed
in, by ``jupyter-config/jupyter_server_config.d/em_prankster.json``). It changes no handler:
it adds an output transform (tornado's public ``Application.add_transform``) that sets the
``Content-Security-Policy`` of the responses below, and serves ``grading/render/formgrade_page.js``.

- **The formgrader's pages** (``formgrader/...``): only the formgrader's own scripts run.
  Each response gets a fresh random nonce, and the policy lets only scripts carrying it run
  (``script-src 'nonce-...'``): no other inline script, event handler attribute or
  ``javascript:`` URL, nothing from another host, no frame, object, base or form to another
  place. The nonce is put on
    - every ``<script>`` of nbgrader's list pages (assignments, submissions, gradebook,
      students), which nbgrader renders from its own templates and the gradebook's JSON,
      never with a student's HTML; their address parts (assignment, notebook, student ids)
      must be plain identifiers, or the page's inline scripts get no nonce (nbgrader writes
      those ids into its pages unescaped). Their three event handler attributes
      (``LIST_PAGE_HANDLERS``: "Show All Names", "Add new assignment...", "Add new
      student...") are allowed by their hashes (``'unsafe-hashes'``): an attribute runs only
      if its text is exactly one of them;
    - on any other formgrader page, such as the submission view, which holds the student's
      notebook, only on ``<script src>`` elements that load a file of nbgrader's static
      folder or this course's script (``em-prankster/formgrade_page.js``): the submission
      view's template (``grading/render/templates/formgrade_guarded/``) has no inline script, so a
      script a student slipped past ``grading/steps/sanitize.py`` still cannot run.
  The pages are never cached (a cached copy would carry another response's nonce). They may
  be framed by the same origin (``frame-ancestors 'self'``): JupyterLab's
  Nbgrader > Formgrader shows them in a frame, which JupyterHub 5's default
  ``frame-ancestors 'none'`` forbids (nbgrader issue 1870). Every other page keeps the hub's.
- **Files handed in beside a notebook**, as the formgrader serves them
  (``formgrader/submissions/<id>/<file>``): ``sandbox`` (an opaque origin, no script at all)
  and a download (``Content-Disposition: attachment``), except PNG, JPEG, GIF and WebP
  images, which are shown.
- **Student-made files the server serves raw** (``files/`` and ``nbconvert/`` under a
  ``submitted``, ``autograded``, ``feedback`` or ``.grading`` folder): ``sandbox`` without
  scripts, where Jupyter itself allows them in an opaque origin (``sandbox allow-scripts``).
"""
import base64
import hashlib
import re
import secrets
from pathlib import Path
from urllib.parse import unquote

from jupyter_server.utils import url_path_join
from tornado.web import OutputTransform, RequestHandler

SCRIPT = Path(__file__).resolve().parent / "formgrade_page.js"
SCRIPT_URL = "em-prankster/formgrade_page.js"  # under the server's base URL
STUDENT_FOLDERS = {"submitted", "autograded", "feedback", ".grading"}
SHOWN_IMAGES = ("image/png", "image/jpeg", "image/gif", "image/webp")
# nbgrader's list pages (server_extensions/formgrader/handlers.py): their only server-rendered
# values are the server's and the ids in the address, checked by SAFE_ID.
LIST_PAGES = re.compile(r"^(?:manage_assignments|manage_submissions/[^/]+|gradebook(?:/[^/]+){0,2}"
                        r"|manage_students(?:/[^/]+){0,2})/?$")
SAFE_ID = re.compile(r"^[\w.@+-]*$")
NAVIGATION = {"next", "prev", "next_incorrect", "prev_incorrect"}
SCRIPT_TAG = re.compile(rb"<script\b", re.I)
SCRIPT_SRC = re.compile(rb'<script src="([^"<>]*)"></script>')
SAFE_PATH = re.compile(r"^[A-Za-z0-9_.\-/]+$")

# The inline event handlers of nbgrader's list templates (tests/test_sanitize.py checks that
# these are all of them), allowed on the list pages by their hashes.
LIST_PAGE_HANDLERS = ("toggleAllNames()", "createAssignmentModal();", "createStudentModal();")
LIST_PAGE_HASHES = " ".join(
    "'sha256-" + base64.b64encode(hashlib.sha256(h.encode()).digest()).decode() + "'"
    for h in LIST_PAGE_HANDLERS)

SANDBOX_POLICY = ("sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
                  "frame-ancestors 'self'")


def page_policy(nonce, base_url, list_page=False):
    """The Content-Security-Policy of a formgrader page whose own scripts carry ``nonce``
    (and, on a list page, whose event handlers are nbgrader's three)."""
    scripts = f"script-src 'nonce-{nonce}'" + (f" 'unsafe-hashes' {LIST_PAGE_HASHES}" if list_page else "")
    return "; ".join([
        "default-src 'none'", scripts, "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:", "font-src 'self' data:", "connect-src 'self'",
        "form-action 'self'", "base-uri 'none'", "object-src 'none'", "frame-ancestors 'self'",
        "report-uri " + url_path_join(base_url, "api/security/csp-report")])


def classify(path, base_url):
    """What a request path is, for the policy: "list", "page", "handed-in", "student-file", or None.

    Parameters
    ----------
    path : str
        The request's path, as sent (percent-encoded).
    base_url : str
        The server's base URL (``/`` or ``/user/<name>/``).
    """
    if not path.startswith(base_url):
        return None
    rel = path[len(base_url):]
    if rel == "formgrader" or rel.startswith("formgrader/"):
        sub = rel[len("formgrader/"):]
        if sub.startswith(("static/", "fonts/", "submissions/components/", "api/")):
            return None
        handed_in = re.match(r"^submissions/[^/]+/(.+)$", sub)
        if handed_in and handed_in[1].strip("/") not in NAVIGATION:
            return "handed-in"
        if LIST_PAGES.match(sub) and all(SAFE_ID.match(unquote(part)) for part in sub.split("/")):
            return "list"
        return "page"
    if rel.startswith(("files/", "nbconvert/")):
        if STUDENT_FOLDERS & {unquote(part) for part in rel.split("/")}:
            return "student-file"
    return None


def trusted_script(src, base_url):
    """Whether ``<script src=src>`` loads a file of nbgrader's static folder or the course's script."""
    if src == url_path_join(base_url, SCRIPT_URL):
        return True
    prefix = url_path_join(base_url, "formgrader/static/")
    rest = src[len(prefix):]
    return (src.startswith(prefix) and bool(SAFE_PATH.match(rest)) and ".." not in rest.split("/")
            and "//" not in rest)


def add_nonce(html, nonce, base_url, every_script):
    """``html`` (bytes) with ``nonce`` on every script, or only on trusted ``<script src>``."""
    attribute = b'<script nonce="' + nonce.encode() + b'"'
    if every_script:
        return SCRIPT_TAG.sub(attribute, html)

    def mark(match):
        src = match[1].decode("utf-8", "replace")
        return attribute + match[0][len(b"<script"):] if trusted_script(src, base_url) else match[0]
    return SCRIPT_SRC.sub(mark, html)


class FormgraderGuard(OutputTransform):
    """Sets the policies of the module docstring on each response (tornado ``OutputTransform``)."""

    base_url = "/"

    def __init__(self, request):
        self.kind = classify(request.path, self.base_url)

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        if self.kind is None:
            return status_code, headers, chunk
        if self.kind in ("handed-in", "student-file"):
            headers["Content-Security-Policy"] = SANDBOX_POLICY
            kind = headers.get("Content-Type", "").split(";")[0].strip().lower()
            if self.kind == "handed-in" and status_code == 200 and kind not in SHOWN_IMAGES:
                headers["Content-Disposition"] = "attachment"
            return status_code, headers, chunk
        nonce = secrets.token_urlsafe(18)
        headers["Content-Security-Policy"] = page_policy(nonce, self.base_url, self.kind == "list")
        # Never kept nor revalidated: a copy from the cache would carry another response's nonce
        # (tornado's ETag is the page's before the nonce, so a 304 would pair the old copy with
        # this response's policy, and its scripts would not run).
        headers["Cache-Control"] = "no-store"
        headers.pop("Etag", None)
        if headers.get("Content-Type", "").startswith("text/html") and "Content-Encoding" not in headers:
            chunk = add_nonce(chunk, nonce, self.base_url, every_script=self.kind == "list")
            if "Content-Length" in headers:
                headers["Content-Length"] = str(len(chunk))
        return status_code, headers, chunk


class ScriptHandler(RequestHandler):
    """``grading/render/formgrade_page.js``, the one file this extension serves (static, public)."""

    def get(self):
        self.set_header("Content-Type", "application/javascript; charset=utf-8")
        self.write(SCRIPT.read_bytes())


def _jupyter_server_extension_points():
    return [{"module": "grading.render.formgrader_guard"}]


def _load_jupyter_server_extension(serverapp):
    """Serve the page's script and add the transform to the server's web application."""
    web_app = serverapp.web_app
    base_url = web_app.settings.get("base_url", "/")
    web_app.add_handlers(".*$", [(url_path_join(base_url, SCRIPT_URL), ScriptHandler)])
    web_app.add_transform(type("FormgraderGuard", (FormgraderGuard,), {"base_url": base_url}))
    serverapp.log.info("em-prankster: the formgrader's pages allow only its own scripts "
                       "(grading.render.formgrader_guard)")
