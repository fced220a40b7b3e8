"""Nothing a student wrote runs in a browser: their notebook, cleaned before it is shown as HTML.

An autograded notebook is the student's: apart from the test cells, which grading rebuilds,
every output, markdown cell, attachment and cell field in it was written by the student's
code or by the student. The formgrader shows it to the instructor, in the instructor's
browser, with the instructor's session; the feedback shows it again, wherever it is opened.
Whatever HTML or script it holds would run there, so it is cleaned first, by an allow-list:
what is not named below is removed.

- ``SanitizeNotebook`` (a preprocessor of every ``HTMLExporter`` built from
  ``nbgrader_config.py``: the formgrader's and the feedback's) rewrites the notebook before it
  is rendered. Outputs keep only inert types: plain text, PNG, JPEG and GIF images, HTML and
  markdown cleaned by ``clean_html``, SVG shown as an ``<img>`` (an image cannot run script),
  LaTeX as MathML; JavaScript, widget views and every other type are dropped, with a line
  saying so. Markdown cells keep only image attachments; raw cells are cleaned like HTML;
  a cell whose ``grade_id`` is not a plain identifier (nbgrader's own rule: letters, digits,
  ``_`` and ``-``), which nbgrader's templates would write into the page unescaped, loses its
  nbgrader fields and is shown as an ordinary cell; widget state in the notebook's metadata
  is removed.
- ``markdown2html`` (the exporters' ``markdown2html`` filter) renders markdown as nbconvert
  does, formulas as MathML (so no MathJax script is needed), and cleans the result. nbgrader's
  ``formgrade`` and feedback templates render markdown cells with this filter and never
  with nbconvert's ``clean_html``, so ``HTMLExporter.sanitize_html`` alone would not clean them.
- ``clean_html`` is the one allow-list (nh3, the binding of the Rust sanitizer ammonia, which
  parses like a browser does): no script, style or event handler attribute, no iframe,
  object, embed, form, base or meta, no SVG; links only to http(s), mailto, the page itself
  or relative addresses; images only from embedded PNG/JPEG/GIF/WebP/SVG data or files
  beside the notebook (an image loads without a click: no ``/logout``, no ``../../api``);
  ids prefixed, so they cannot take the page's own; classes limited to those of code
  highlighting and tables.

This is the first layer. The second is in the browser: the formgrader's pages forbid every
script but the formgrader's own (``grading/render/formgrader_guard.py``), and the feedback file
forbids all script (``grading/render/templates/feedback_by_function/``).
"""
import base64
import re

import nbformat
import nh3
from jinja2 import pass_context
from nbconvert.filters.markdown_mistune import MarkdownWithMath
from nbconvert.preprocessors import Preprocessor

from grading.render.reader_html import MathMLRenderer

# --- The allow-list -------------------------------------------------------------------------
TEXT_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
    "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var", "wbr",
}
# Presentation MathML, as latex2mathml writes it (no maction, mglyph, semantics or annotation).
MATH_TAGS = {
    "math", "menclose", "merror", "mfrac", "mi", "mmultiscripts", "mn", "mo", "mover", "mpadded",
    "mphantom", "mprescripts", "mroot", "mrow", "ms", "mspace", "msqrt", "mstyle", "msub",
    "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder", "munderover", "none",
}
# Removed with everything inside them (other tags not allowed lose the tag, keep the text).
DROPPED_WITH_CONTENT = {
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "noframes",
    "noembed", "object", "embed", "applet", "svg", "textarea", "select", "xmp", "plaintext",
    "title", "head", "meta", "link", "base",
}
TEXT_ATTRIBUTES = {
    "*": {"title", "lang", "dir", "id", "class", "style", "align"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "valign"}, "th": {"colspan", "rowspan", "valign", "scope"},
    "col": {"span"}, "colgroup": {"span"}, "table": {"border"}, "ol": {"start", "type"},
    "details": {"open"}, "abbr": {"title"}, "q": {"cite"}, "blockquote": {"cite"},
}
MATH_ATTRIBUTES = {
    "math": {"display"},
    "mi": {"mathvariant"}, "mn": {"mathvariant"}, "mtext": {"mathvariant"},
    "mo": {"fence", "form", "stretchy", "separator", "lspace", "rspace", "minsize", "maxsize",
           "symmetric", "largeop", "movablelimits", "accent", "mathvariant"},
    "mfrac": {"linethickness"}, "mspace": {"width", "height", "depth"},
    "mstyle": {"displaystyle", "scriptlevel", "mathsize", "mathvariant", "mathcolor"},
    "mover": {"accent"}, "munder": {"accentunder"}, "munderover": {"accent", "accentunder"},
    "mtable": {"columnalign", "rowspacing", "columnspacing"}, "mtd": {"columnalign", "columnspan", "rowspan"},
    "menclose": {"notation"}, "mpadded": {"width"},  # no offsets: nothing moved over the page
}
# Style attributes keep these properties only: colours, fonts, padding and alignment; no
# positioning nor margins (a negative one could lay content over the formgrader's scores and
# buttons), no url().
STYLE_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "font-size", "font-family",
    "text-align", "text-decoration", "vertical-align", "white-space", "border", "border-collapse",
    "border-color", "border-style", "border-width", "padding", "padding-left", "padding-right",
    "padding-top", "padding-bottom", "width", "height", "max-width", "max-height", "line-height",
}
# Classes of Pygments' code highlighting (short names: k, nn, s1, ...) and of tables; the
# formgrader's own classes (full-credit, score, comment, navbar-...) are longer, so student
# content cannot take their look or their handlers.
ALLOWED_CLASS = re.compile(r"^(?:[a-z]{1,3}[0-9]?|highlight|dataframe|anchor-link)$")
ID_PREFIX = "user-content-"
IMAGE_DATA = re.compile(r"^data:image/(?:png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]*$", re.I)
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# An image a page loads without a click (so not /logout, not ../../api/...): a file in the
# notebook's folder or below it, named plainly.
RELATIVE_IMAGE = re.compile(r"^(?!.*(?:^|/)\.\.(?:/|$))(?!.*%2e)[A-Za-z0-9_][A-Za-z0-9_.\-/ %]*$", re.I)
LINK_SCHEMES = {"http", "https", "mailto"}


def _url(value):
    """``(scheme or None, value)`` as a browser reads it: tabs and newlines inside a URL and
    leading spaces or control characters are ignored (so ``java\\tscript:`` is ``javascript:``)."""
    value = re.sub(r"[\t\n\r]", "", value).lstrip("".join(map(chr, range(0x21))))
    match = SCHEME.match(value)
    return (match[1].lower() if match else None), value


def _filter_attribute(tag, name, value):
    """nh3's attribute callback: the value to keep, or None to drop the attribute."""
    if name in ("href", "src"):
        scheme, url = _url(value)
        if scheme is None:  # relative: within the page or the course, never another host
            if url.startswith(("//", "\\\\", "/\\", "\\/")):
                return None
            if name == "src" and not RELATIVE_IMAGE.match(url):  # loads by itself: only a file
                return None  # beside the notebook (lineup.png), not any address of the server
            if name == "href" and url.startswith("#") and not url.startswith("#" + ID_PREFIX):
                return "#" + ID_PREFIX + url[1:]  # the ids it points to are prefixed too
            return value
        if name == "src":
            return value if tag == "img" and IMAGE_DATA.match(url) else None
        return value if scheme in LINK_SCHEMES else None
    if name == "class":
        kept = [c for c in value.split() if ALLOWED_CLASS.match(c)]
        return " ".join(kept) or None
    return value


CLEANER = nh3.Cleaner(
    tags=TEXT_TAGS | MATH_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes={**TEXT_ATTRIBUTES, **MATH_ATTRIBUTES},
    attribute_filter=_filter_attribute,
    url_schemes=LINK_SCHEMES | {"data"},  # data: only for images (_filter_attribute)
    filter_style_properties=STYLE_PROPERTIES,
    id_prefix=ID_PREFIX,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def clean_html(html):
    """HTML a student wrote, with only the allow-listed tags, attributes and addresses left.

    Parameters
    ----------
    html : str
        Any HTML fragment (an output's ``text/html``, rendered markdown).

    Returns
    -------
    str
        The fragment, parsed as a browser would and written back with nothing active in it.
    """
    return CLEANER.clean(html)


# --- Markdown --------------------------------------------------------------------------------
class _SafeMathRenderer(MathMLRenderer):
    """The readers' renderer (formulas as MathML); a formula latex2mathml cannot read is shown
    as its LaTeX source, escaped, instead of stopping the page."""

    def block_math(self, body):
        return self._or_source(super().block_math, body, "$$")

    def inline_math(self, body):
        return self._or_source(super().inline_math, body, "$")

    def latex_environment(self, name, body):
        try:
            return super().latex_environment(name, body)
        except Exception:  # latex2mathml raises several kinds for LaTeX it does not know
            return self._escaped(f"\\begin{{{name}}}{body}\\end{{{name}}}")

    def _or_source(self, render, body, fence):
        try:
            return render(body)
        except Exception:
            return self._escaped(f"{fence}{body}{fence}")

    @staticmethod
    def _escaped(text):
        return "<code>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</code>"


def markdown_to_html(source, attachments=None, path=""):
    """Markdown as nbconvert renders it, with MathML formulas, cleaned by ``clean_html``.

    Parameters
    ----------
    source : str
        The markdown (a markdown cell's source, a ``text/markdown`` output, a comment).
    attachments : dict, optional
        The cell's attachments, which ``attachment:`` images refer to.
    path : str, optional
        The folder relative images are in (nbconvert's ``resources.metadata.path``).

    Returns
    -------
    str
        Clean HTML.
    """
    renderer = _SafeMathRenderer(escape=False, attachments=attachments or {}, embed_images=False,
                                 path=path, anchor_link_text="¶", exclude_anchor_links=False)
    return clean_html(MarkdownWithMath(renderer=renderer).render(source))


@pass_context
def markdown2html(context, source):
    """The exporters' ``markdown2html`` filter (``c.HTMLExporter.filters``): ``markdown_to_html``
    with the attachments of the cell being rendered."""
    cell = context.get("cell", {}) or {}
    path = context.get("resources", {}).get("metadata", {}).get("path", "")
    return markdown_to_html(source, cell.get("attachments", {}), path)


# --- The notebook ----------------------------------------------------------------------------
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")
BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]*$")
GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")  # nbgrader's rule for the ids it creates
IMAGE_METADATA = {"width": (int, float), "height": (int, float), "unconfined": (bool,), "alt": (str,)}


def _text(value):
    return "".join(value) if isinstance(value, list) else str(value)


def _latex_to_html(latex):
    """A text/latex output (``$...$``, ``$$...$$`` or an environment) as MathML, or None."""
    body = latex.strip()
    for fence in ("$$", "$"):
        if body.startswith(fence) and body.endswith(fence) and len(body) > 2 * len(fence):
            body, display = body[len(fence):-len(fence)], "block" if fence == "$$" else "inline"
            break
    else:
        display = "block"
    try:
        from grading.render.reader_html import mathml
        return clean_html(mathml(body, display))
    except Exception:  # latex2mathml could not read it: the template shows it as text
        return None


def clean_output(output):
    """One output with only inert content; the list it is replaced by (empty if none is left).

    Parameters
    ----------
    output : nbformat.NotebookNode
        A code cell's output.

    Returns
    -------
    list of nbformat.NotebookNode
        The cleaned output, or nothing.
    """
    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name") if output.get("name") in ("stdout", "stderr") else "stdout"
        return [nbformat.from_dict({"output_type": "stream", "name": name,
                                    "text": _text(output.get("text", ""))})]
    if kind == "error":
        return [nbformat.from_dict({"output_type": "error", "ename": _text(output.get("ename", "")),
                                    "evalue": _text(output.get("evalue", "")),
                                    "traceback": [_text(line) for line in output.get("traceback", [])]})]
    if kind not in ("execute_result", "display_data"):
        return []
    data, kept, dropped = output.get("data", {}), {}, []
    html = []
    for mime, value in data.items():
        value = _text(value)
        if mime == "text/plain":
            kept[mime] = value
        elif mime in IMAGE_TYPES and BASE64.match(value):
            kept[mime] = value
        elif mime == "text/html":
            html.insert(0, clean_html(value))
        elif mime == "text/markdown":
            html.append(markdown_to_html(value))
        elif mime == "image/svg+xml":  # as an image, where its scripts cannot run
            encoded = base64.b64encode(value.encode("utf-8")).decode("ascii")
            html.append(f'<img src="data:image/svg+xml;base64,{encoded}" alt="SVG image">')
        elif mime == "text/latex" and _latex_to_html(value) is not None:
            html.append(_latex_to_html(value))
        elif mime == "text/latex":
            kept.setdefault("text/plain", value)
        else:
            dropped.append(mime)
    if html:
        kept["text/html"] = html[0]
    if dropped and not kept:
        kept["text/plain"] = f"[not shown: an output of type {', '.join(dropped)}]"
    if not kept:
        return []
    cleaned = {"output_type": kind, "data": kept, "metadata": {}}
    for mime in IMAGE_TYPES:
        meta = output.get("metadata", {}).get(mime)
        if mime in kept and isinstance(meta, dict):
            cleaned["metadata"][mime] = {k: v for k, v in meta.items()
                                         if k in IMAGE_METADATA and isinstance(v, IMAGE_METADATA[k])}
    if kind == "execute_result":
        count = output.get("execution_count")
        cleaned["execution_count"] = count if isinstance(count, int) else None
    return [nbformat.from_dict(cleaned)]


class SanitizeNotebook(Preprocessor):
    """Rewrite a notebook so that rendering it as HTML shows nothing active (module docstring).

    Configured as the first preprocessor of every ``HTMLExporter`` (``c.HTMLExporter.preprocessors``
    in ``nbgrader_config.py``), which includes the formgrader's exporter and the feedback's.
    """

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [out for output in cell.get("outputs", []) for out in clean_output(output)]
        elif cell.cell_type == "markdown" and "attachments" in cell:
            cell.attachments = {
                name: nbformat.from_dict({mime: _text(data) for mime, data in bundle.items()
                       if mime in IMAGE_TYPES + ("image/svg+xml",) and isinstance(data, (str, list))})
                for name, bundle in cell.attachments.items() if isinstance(bundle, dict)}
        elif cell.cell_type == "raw":
            cell.source = clean_html(_text(cell.source))
        grading = cell.metadata.get("nbgrader")
        if grading is not None and not (isinstance(grading, dict) and GRADE_ID.match(
                str(grading.get("grade_id", "")))):
            del cell.metadata["nbgrader"]  # not a cell nbgrader made: shown as an ordinary cell
        return cell, resources
