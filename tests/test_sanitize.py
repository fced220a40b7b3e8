"""What a student wrote is shown inert: the sanitizer, the formgrader's and the feedback's pages,
the server's policies, and handed-in files (one rule per test, no server, kernel or browser).

- ``grading/steps/sanitize.py``: the allow-list on the issue's payloads, the payload suite's
  (tests/payloads.py) and more of the usual vectors; every MIME type of an output; markdown,
  attachments, raw cells and cell fields; honest content (tables, figures, formulas,
  tracebacks) kept;
- the formgrader's submission page and the feedback, rendered with the course's configuration
  from a notebook holding every payload: nothing active in them, every script of the
  formgrader's page one of its own files, the feedback's policy its first element;
- ``grading/render/formgrader_guard.py``: which responses get which policy, and the nonce;
- ``grading/run/intake.py`` and ``grading/steps/handed_in.py``: files handed in beside the notebook
  are left out, and listed.

tests/test_payloads.py opens the real pages in chromium.
"""
import json
import pathlib
import re
import sys

import nbformat
import nbgrader
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_notebook, new_output, new_raw_cell
from traitlets.config import Config

import payloads
from support import ROOT
from grading.render import formgrader_guard as guard
from grading.run import intake
from grading.steps.feedback import FeedbackExporter, ScoreIndex
from grading.steps.handed_in import LeaveOutHandedInFiles
from grading.steps.sanitize import SanitizeNotebook, clean_html, clean_output, markdown_to_html

LISTENER = "http://127.0.0.1:9"
ACTIVE_ELEMENTS = {"script", "iframe", "frame", "object", "embed", "applet", "form", "base", "meta",
                   "link", "svg", "style", "input", "button", "textarea", "select", "video",
                   "audio", "source", "marquee", "template", "noscript", "body", "html", "head"}
# Standard XSS vectors (OWASP's filter evasion cheat sheet and mutation XSS papers), each with
# alert(1); none of them may keep anything active.
MORE_VECTORS = [
    '<IMG SRC="javascript:alert(1);">', "<IMG SRC=JaVaScRiPt:alert(1)>",
    '<IMG SRC=`javascript:alert(1)`>', '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>', '<a href="java\0script:alert(1)">x</a>',
    '<a href=" &#14;  javascript:alert(1)">x</a>', '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<SCRIPT/XSS SRC=\"http://x/x.js\"></SCRIPT>", "<<SCRIPT>alert(1);//<</SCRIPT>",
    "<BODY ONLOAD=alert(1)>", '<INPUT TYPE="IMAGE" SRC="javascript:alert(1);">',
    "<svg/onload=alert(1)>", '<svg><script xlink:href="data:,alert(1)"></script></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    '<math href="javascript:alert(1)">x</math>',
    '<form><button formaction="javascript:alert(1)">x</button></form>',
    '<isindex action="javascript:alert(1)" type="image">', '<img srcset="javascript:alert(1) 1x">',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<div style="background-image: url(javascript:alert(1))">x</div>',
    '<div style="width: expression(alert(1))">x</div>', '<style>@import "http://x/x.css";</style>',
    '<link rel="import" href="http://x/x.html">', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<iframe src="javascript:alert(1)"></iframe>', '<object type="text/x-scriptlet" data="http://x/x.sct"></object>',
    '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<svg><p><style><img src=x onerror=alert(1)></style></p></svg>',
    '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 onerror=alert(1)&gt;">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<template><img src=x onerror=alert(1)></template>', '<x onclick=alert(1)>x</x>',
    '<details open ontoggle=alert(1)>', '<audio src=x onerror=alert(1)>',
    '<video><source onerror="alert(1)"></video>', '<marquee onstart=alert(1)>x</marquee>',
    '<a href="#" onmouseover="alert(1)">x</a>', '<image src=x onerror=alert(1)>',
    '<img src=x:alert(1) onerror=eval(src)>', '<base href="javascript:alert(1)//">',
    '<a href="//evil.example/x">x</a><img src="//evil.example/x.png">',
    '<img src="\\\\evil.example\\x.png">', '<img src="http://evil.example/track.png">',
    '<a id="statusmessage" name="formgrader" class="full-credit navbar-fixed-top">x</a>',
    '<img src="/hub/logout"><img src="../../../logout"><img src="x/../../api/kernels">',
    '<img src="a/%2e%2e/%2E%2e/logout">',
    '<div style="margin-top: -3000px; position: absolute; z-index: 9">x</div>',
    '<math><mpadded voffset="-3000px" lspace="-900px"><mi>x</mi></mpadded></math>',
]
SAFE_URL = re.compile(r"^(https?:|mailto:|#|(?![a-z][a-z0-9+.-]*:)(?!//)(?!\\\\))", re.I)


def active_parts(html, classes_and_ids=True):
    """Everything active left in ``html``: elements that can run or load content, event
    handler attributes, URLs that are not plain links or embedded images; and, for what the
    sanitizer wrote (``classes_and_ids``), classes and ids not allowed to student content."""
    found = []
    for element in BeautifulSoup(html, "html.parser").find_all(True):
        if element.name in ACTIVE_ELEMENTS:
            found.append(f"<{element.name}>")
        for name, value in element.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            if name.lower().startswith("on") or name.lower() in ("formaction", "action", "srcset",
                                                                  "background", "xlink:href", "data"):
                found.append(f"{element.name}[{name}]")
            if name.lower() in ("href", "src"):
                url = re.sub(r"[\t\n\r]", "", value).strip()
                image = element.name == "img" and name == "src" and re.match(
                    r"^data:image/(png|jpeg|gif|webp|svg\+xml);base64,", url)
                if not (image or SAFE_URL.match(url)) or (name == "src" and not image and (
                        re.match(r"^https?:|/", url) or ".." in url.split("/") or "%2e" in url.lower())):
                    found.append(f"{element.name}[{name}={url[:40]}]")
            if classes_and_ids and name == "class" and any(not guard_class.match(c) for c in value.split()):
                found.append(f"{element.name}[class={value}]")
            if name == "style" and re.search(r"margin|position|z-index", value):
                found.append(f"{element.name}[style={value}]")
            if element.name == "mpadded" and name != "width":
                found.append(f"mpadded[{name}]")
            if classes_and_ids and name == "id" and not value.startswith("user-content-"):
                found.append(f"{element.name}[id={value}]")
    return found


guard_class = re.compile(r"^(?:[a-z]{1,3}[0-9]?|highlight|dataframe|anchor-link)$")


def suite_fragments():
    """Every HTML payload of the browser suite, with a placeholder listener."""
    return list(payloads.html_outputs(LISTENER).items())


@pytest.mark.parametrize("name, html", suite_fragments() + [(f"vector {i}", v) for i, v in enumerate(MORE_VECTORS)])
def test_clean_html_leaves_nothing_active(name, html):
    cleaned = clean_html(html)
    assert not active_parts(cleaned), (name, cleaned)
    assert not active_parts(clean_html(cleaned)), "cleaning twice must not make it active"


def test_clean_html_keeps_honest_html():
    cleaned = clean_html(payloads.HONEST_TABLE + '<p><b>bold</b> <a href="https://numpy.org">numpy</a></p>'
                         '<img src="data:image/png;base64,iVBORw0KGgo=" alt="figure"><img src="lineup.png">')
    soup = BeautifulSoup(cleaned, "html.parser")
    assert len(soup.select("table.dataframe td")) == 4 and soup.find("b").text == "bold"
    assert soup.find("a")["href"] == "https://numpy.org" and soup.find("img")["src"].startswith("data:image/png")
    assert soup.find_all("img")[1]["src"] == "lineup.png"


def test_markdown_is_cleaned_and_formulas_are_mathml():
    html = markdown_to_html("Raw <img src=x onerror=alert(1)> and [j](javascript:alert(1)), "
                            "the bound $\\log p(X) \\ge \\mathcal{L}(q)$.\n\n$$\\frac{a}{b}$$\n\n"
                            "A broken formula $\\frac{$ stays as text.")
    assert not active_parts(html), html
    soup = BeautifulSoup(html, "html.parser")
    assert len(soup.find_all("math")) == 2 and "\\frac{" in soup.find("code").text


def output_types(outputs):
    return [sorted(o.get("data", {})) or o["output_type"] for o in outputs]


def test_every_output_type_keeps_only_inert_content():
    svg = payloads.svg(LISTENER, "x")
    outputs = [
        new_output("display_data", data={"application/javascript": "alert(1)", "text/plain": "<js>"}),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "m"}}),
        new_output("display_data", data={"image/svg+xml": svg}),
        new_output("display_data", data={"text/markdown": "<img src=x onerror=alert(1)>"}),
        new_output("display_data", data={"text/latex": "$\\frac{1}{2}$"}),
        new_output("display_data", data={"text/html": "<script>alert(1)</script><b>ok</b>",
                                         "text/vnd.mermaid": "graph TD", "application/pdf": "JVBERi0="}),
        new_output("display_data", data={"image/png": "iVBORw0KGgo="},
                   metadata={"image/png": {"width": 10, "filenames": "http://evil/x.png"}}),
        new_output("display_data", data={"image/png": "\"><script>alert(1)</script>"}),
        new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                   traceback=["\x1b[0;31mZeroDivisionError\x1b[0m: division by zero"]),
        new_output("stream", name="stdout", text="<script>alert(1)</script>"),
    ]
    cleaned = [out for output in outputs for out in clean_output(output)]
    assert output_types(cleaned) == [
        ["text/plain"], ["text/plain"], ["text/html"], ["text/html"], ["text/html"],
        ["text/html"], ["image/png"], ["text/plain"], "error", "stream"]
    assert cleaned[7].data["text/plain"] == "[not shown: an output of type image/png]"
    assert cleaned[1].data["text/plain"].startswith("[not shown: an output of type application/vnd.jupyter")
    assert cleaned[2].data["text/html"].startswith('<img src="data:image/svg+xml;base64,')
    assert "<math" in cleaned[4].data["text/html"] and cleaned[5].data["text/html"] == "<b>ok</b>"
    assert cleaned[6].metadata == {"image/png": {"width": 10}}
    for out in cleaned:
        assert not active_parts(out.get("data", {}).get("text/html", "")), out


def hostile_notebook():
    """A notebook with every payload of the suite where an autograded notebook can hold it."""
    html = [new_output("display_data", data={"text/html": value, "text/plain": name})
            for name, value in payloads.html_outputs(LISTENER).items()]
    code = new_code_cell("x = 1", outputs=html + [
        new_output("display_data", data={"application/javascript": payloads.script(LISTENER, "app-javascript")}),
        new_output("display_data", data={"image/svg+xml": payloads.svg(LISTENER, "svg-output-script")}),
        new_output("display_data", data={"text/markdown": "<img src=x onerror=\"alert(1)\">"}),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "w"},
                                         "text/plain": "a widget"}),
        new_output("display_data", data={"text/html": payloads.HONEST_TABLE}),
        new_output("display_data", data={"image/png": "iVBORw0KGgo="}),
        new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                   traceback=["ZeroDivisionError: division by zero"]),
    ])
    markdown = payloads.markdown_cell(LISTENER)
    graded = new_code_cell("print(1)")
    graded.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": False, "points": 0,
                                   "grade_id": 'x"><img src=x onerror="alert(1)">', "schema_version": 3}
    graded.metadata["tags"] = ['"><img src=x onerror=alert(1)>']
    graded.metadata["feedback"] = {"function": "<img src=x onerror=alert(1)>", "behaviour": "b",
                                   "score": "9 / 9", "lost": False, "message": ""}
    raw = new_raw_cell('<script>alert(1)</script><b>raw</b>', metadata={"raw_mimetype": "text/html"})
    nb = new_notebook(cells=[code, markdown, graded, raw], metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}}})
    return nbformat.from_dict(json.loads(json.dumps(nb)))


def test_the_notebook_is_rewritten_before_rendering():
    nb, _ = SanitizeNotebook().preprocess(hostile_notebook(), {})
    assert "widgets" not in nb.metadata
    code, markdown, graded, raw = nb.cells
    assert all(set(o.get("data", {})) <= {"text/plain", "text/html", "image/png"} for o in code.outputs)
    assert set(markdown.attachments) == {"evil.svg", "evil.html"}
    assert markdown.attachments["evil.svg"] and not markdown.attachments["evil.html"]
    assert "nbgrader" not in graded.metadata, "a grade_id nbgrader would not make is dropped"
    assert raw.source == "<b>raw</b>"
    nbformat.validate(nb)


@pytest.fixture(scope="module")
def course_config():
    """The configuration nbgrader_config.py gives every nbgrader app (the formgrader's included)."""
    from traitlets.config import PyFileConfigLoader
    return PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()


def formgrader_page(config, nb):
    """The submission page as the formgrader renders it (its SubmissionHandler: an HTMLExporter
    with its own configuration and nbgrader's, and the resources it passes)."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension
    merged = Config(FormgradeExtension().build_extra_config())
    merged.merge(config)
    resources = {"assignment_id": "em_prankster", "notebook_id": "em_prankster", "submission_id": "abc123",
                 "index": 0, "total": 1, "base_url": "/user/teacher", "student": "<b>mallory</b>",
                 "last_name": None, "first_name": None, "notebook_path": "autograded/x/em_prankster.ipynb",
                 "metadata": {"path": str(ROOT)}}
    html, _ = HTMLExporter(config=merged).from_notebook_node(nb, resources=resources)
    return html


def test_the_formgrader_page_shows_nothing_active_and_runs_only_its_own_files(course_config):
    html = formgrader_page(course_config, hostile_notebook())
    soup = BeautifulSoup(html, "html.parser")
    scripts = soup.find_all("script")
    data = [s for s in scripts if s.get("type") == "application/json"]
    loaded = [s for s in scripts if s.get("src")]
    assert len(data) == 1 and json.loads(data[0].string)["submission_id"] == "abc123"
    assert len(loaded) + 1 == len(scripts), "no inline script but the data block"
    assert all(guard.trusted_script(s["src"], "/user/teacher/") for s in loaded), [s["src"] for s in loaded]
    nonced = guard.add_nonce(html.encode(), "N0NCE", "/user/teacher/", every_script=False)
    assert nonced.count(b'<script nonce="N0NCE"') == len(loaded)
    notebook = soup.select_one("#notebook-container")
    assert not [p for p in active_parts(str(notebook), classes_and_ids=False)
                if p not in ("<input>", "<textarea>")], "only the formgrader's score and comment fields"
    assert not [e for e in soup.find_all(True) if any(a.lower().startswith("on") for a in e.attrs)]
    assert "<b>mallory</b>" not in html and "&lt;b&gt;mallory&lt;/b&gt;" in html
    assert soup.select("table.dataframe td") and soup.find("math") and "ZeroDivisionError" in soup.text


def test_the_feedback_forbids_all_script_and_shows_nothing_active(course_config):
    resources = {"nbgrader": {"notebook": "em_prankster", "score": 1, "max_score": 2, "late_penalty": 0},
                 "metadata": {"path": str(ROOT)}}
    config = Config(course_config)  # and what nbgrader's GenerateFeedback adds: bootstrap's CSS
    config.HTMLExporter.extra_template_paths = [str(pathlib.Path(nbgrader.__file__).parent / "server_extensions"
                                                    / "formgrader" / "static" / "node_modules" / "bootstrap" / "dist" / "css")]
    exporter = FeedbackExporter(config=config)
    exporter.register_preprocessor(ScoreIndex, enabled=True)  # after the sanitizer, as nbgrader does
    html, _ = exporter.from_notebook_node(hostile_notebook(), resources=resources)
    head = BeautifulSoup(html, "html.parser").find("head")
    first = head.find(True)
    assert first.name == "meta" and first["http-equiv"] == "Content-Security-Policy"
    assert first["content"].startswith("default-src 'none';") and "script-src" not in first["content"]
    assert "<script" not in html.lower(), "no script at all, MathJax included"
    soup = BeautifulSoup(html, "html.parser")
    notebook = soup.select_one("#notebook-container")
    assert not active_parts(str(notebook), classes_and_ids=False)
    assert not [e for e in soup.find_all(True) if any(a.lower().startswith("on") for a in e.attrs)]
    assert notebook.find("math") and notebook.select("table.dataframe td")
    assert not soup.select("#score-index tbody tr"), "a student's cell adds no row to the index"


# --- the server's policies (grading/render/formgrader_guard.py) --------------------------------------

@pytest.mark.parametrize("path, kind", [
    ("/user/t/formgrader", "page"),
    ("/user/t/formgrader/", "page"),
    ("/user/t/formgrader/manage_assignments", "list"),
    ("/user/t/formgrader/gradebook/em_prankster/em_prankster", "list"),
    ("/user/t/formgrader/manage_students/bob/em_prankster", "list"),
    ("/user/t/formgrader/manage_students/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", "page"),
    ("/user/t/formgrader/manage_students/a%22b/em_prankster", "page"),
    ("/user/t/formgrader/submissions/abc/", "page"),
    ("/user/t/formgrader/submissions/abc/next", "page"),
    ("/user/t/formgrader/submissions/abc/evil.html", "handed-in"),
    ("/user/t/formgrader/submissions/abc/sub/dir/x.svg", "handed-in"),
    ("/user/t/formgrader/static/js/formgrade.js", None),
    ("/user/t/formgrader/submissions/components/x.css", None),
    ("/user/t/formgrader/api/grade/1", None),
    ("/user/t/files/submitted/bob/em_prankster/evil.html", "student-file"),
    ("/user/t/files/course/feedback/bob/em_prankster/em_prankster.html", "student-file"),
    ("/user/t/nbconvert/html/autograded/bob/em_prankster/em_prankster.ipynb", "student-file"),
    ("/user/t/files/release/em_prankster/em_prankster.ipynb", None),
    ("/user/t/lab/tree/feedback/x.html", None),
    ("/user/t/formgraderx", None),
    ("/other/formgrader/", None),
])
def test_each_response_gets_its_policy(path, kind):
    assert guard.classify(path, "/user/t/") == kind


@pytest.mark.parametrize("src, trusted", [
    ("/user/t/formgrader/static/js/formgrade.js", True),
    ("/user/t/em-prankster/formgrade_page.js", True),
    ("/user/t/formgrader/static/../../files/evil.js", False),
    ("/user/t/formgrader/static/js//evil.js", False),
    ("/user/t/formgrader/submissions/abc/evil.js", False),
    ("/user/t/files/evil.js", False),
    ("http://evil.example/user/t/formgrader/static/js/formgrade.js", False),
    ("/user/t/formgrader/static/js/x.js?a=<b>", False),
])
def test_only_the_formgraders_own_files_are_trusted_scripts(src, trusted):
    assert guard.trusted_script(src, "/user/t/") is trusted


class Request:
    def __init__(self, path):
        self.path = path


def transformed(path, body, content_type="text/html; charset=UTF-8"):
    from tornado.httputil import HTTPHeaders
    transform = type("G", (guard.FormgraderGuard,), {"base_url": "/user/t/"})(Request(path))
    headers = HTTPHeaders({"Content-Type": content_type, "Content-Length": str(len(body)),
                           "Content-Security-Policy": "frame-ancestors 'none'", "Etag": '"abc"'})
    return transform.transform_first_chunk(200, headers, body, True)


def test_a_list_page_runs_its_own_scripts_and_handlers_only():
    body = b'<script src="/user/t/formgrader/static/js/utils.js"></script><script>var base_url = "/user/t";</script>'
    status, headers, chunk = transformed("/user/t/formgrader/gradebook/a/b", body)
    policy = headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)[1]
    assert chunk.count(f'<script nonce="{nonce}"'.encode()) == 2 and headers["Content-Length"] == str(len(chunk))
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'self'" in policy and "'unsafe-hashes'" in policy and "base-uri 'none'" in policy
    assert headers["Cache-Control"] == "no-store" and "Etag" not in headers, "no copy with an old nonce"
    assert transformed("/user/t/formgrader/gradebook/a/b", body)[1]["Content-Security-Policy"] != policy, \
        "a new nonce for each response"


def test_the_submission_page_runs_no_inline_script():
    body = (b'<script src="/user/t/formgrader/static/js/utils.js"></script>'
            b'<script>alert(1)</script><script src="/user/t/files/evil.js"></script>'
            b'<img src=x onerror="alert(1)">')
    _, headers, chunk = transformed("/user/t/formgrader/submissions/abc/", body)
    nonce = re.search(r"'nonce-([^']+)'", headers["Content-Security-Policy"])[1]
    assert chunk.count(b"nonce=") == 1 and f'<script nonce="{nonce}" src="/user/t/formgrader/static' in chunk.decode()
    assert "'unsafe-hashes'" not in headers["Content-Security-Policy"]


def test_a_reflected_id_gets_no_nonce():
    body = b'<script>var student_id = "";alert(1);"";</script>'
    _, _, chunk = transformed("/user/t/formgrader/manage_students/%22%3Balert(1)%3B%22", body)
    assert b"nonce" not in chunk


def test_handed_in_files_are_sandboxed_downloads_and_images_are_shown():
    _, headers, _ = transformed("/user/t/formgrader/submissions/abc/evil.html", b"<script>x</script>")
    assert headers["Content-Security-Policy"].startswith("sandbox;") and headers["Content-Disposition"] == "attachment"
    _, headers, _ = transformed("/user/t/formgrader/submissions/abc/lineup.png", b"png", "image/png")
    assert headers["Content-Security-Policy"].startswith("sandbox;") and "Content-Disposition" not in headers
    _, headers, _ = transformed("/user/t/files/feedback/bob/a/a.html", b"<p>x</p>")
    assert headers["Content-Security-Policy"].startswith("sandbox;") and "Content-Disposition" not in headers


def test_the_list_pages_handlers_are_all_nbgraders():
    import nbgrader.server_extensions.formgrader as formgrader
    folder = pathlib.Path(formgrader.__file__).parent / "templates"
    handlers = {h for path in folder.glob("*.tpl")
                for h in re.findall(r'\bon[a-z]+="([^"]*)"', path.read_text(), flags=re.I)}
    assert handlers == set(guard.LIST_PAGE_HANDLERS)


def test_this_environment_loads_the_guard():
    installed = pathlib.Path(sys.prefix) / "etc/jupyter/jupyter_server_config.d/em_prankster.json"
    assert installed.exists(), f"{installed} is missing: run `make venv`"
    assert json.loads(installed.read_text())["ServerApp"]["jpserver_extensions"] == {"grading.render.formgrader_guard": True}


# --- handed-in files (grading/run/intake.py, grading/steps/handed_in.py) ----------------------------------

def test_intake_stages_only_the_notebook_and_nbgraders_files(tmp_path):
    """Not even the student's copy of a released file: grading lends the kernel the course's
    (grading/steps/course_files.py); only other files are noted as left out."""
    release = tmp_path / "release" / "a"
    release.mkdir(parents=True)
    (release / "data.npy").write_text("released")
    folder = tmp_path / "submitted" / "s" / "a"
    (folder / "sub").mkdir(parents=True)
    nbformat.write(new_notebook(), str(folder / "a.ipynb"))
    for name in ("data.npy", "timestamp.txt", "submission_secret.txt", "evil.html", "sub/evil.svg",
                 "draft.ipynb"):
        (folder / name).write_text("x")
    result = intake.stage(tmp_path / "submitted", tmp_path / "staged", "a", "a.ipynb",
                          keep=intake.course_files(release))["s"]
    staged = tmp_path / "staged" / "s" / "a"
    assert sorted(p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file()) == [
        "a.ipynb", "submission_secret.txt", "timestamp.txt"]
    assert result.notes == ["left out 3 file(s) that are not the assignment's: draft.ipynb, evil.html, sub/evil.svg"]


def test_plain_autograde_removes_handed_in_files_from_autograded(tmp_path):
    (tmp_path / "release" / "a").mkdir(parents=True)
    (tmp_path / "release" / "a" / "data.npy").write_text("released")
    graded = tmp_path / "autograded" / "s" / "a"
    graded.mkdir(parents=True)
    for name in ("data.npy", "evil.html", "a.ipynb", "timestamp.txt", "submission_secret.txt"):
        (graded / name).write_text("x")
    step = LeaveOutHandedInFiles(config=Config({"CourseDirectory": {"root": str(tmp_path)}}))
    step.preprocess(new_notebook(), {"nbgrader": {"student": "s", "assignment": "a", "notebook": "a"}})
    assert sorted(p.name for p in graded.iterdir()) == ["a.ipynb", "data.npy", "submission_secret.txt",
                                                        "timestamp.txt"]


def test_plain_autograde_leaves_them_out_first(course_config):
    assert course_config.Autograde.sanitize_preprocessors[0] == "grading.steps.LeaveOutHandedInFiles"
