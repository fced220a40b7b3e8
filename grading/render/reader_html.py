"""The solution notebook as one HTML file that a reader can open anywhere, with no network.

``make solutions`` runs ``python -m grading.render.reader_html``, which writes
``solutions/em_prankster/em_prankster.html`` next to the executed notebook. Unlike plain
``jupyter nbconvert --to html``, the page needs nothing from the network at read time:

- every formula is converted at build time from LaTeX to MathML (``latex2mathml``), which
  browsers render natively, instead of being left for MathJax to fetch and typeset;
- every image is embedded: the figures are in the notebook already, and the markdown images
  (the lineup, ``lineup.png``) are read from ``source/<assignment>/`` and written in as data;
- no script is loaded (require.js, MathJax and mermaid are left out of nbconvert's lab page);
- the test cells, visible and hidden, are folded under a ``<details>`` line each; the
  executed notebook in ``solutions/`` keeps them as they are.

The page's template is ``grading/render/templates/reader/`` (nbconvert's lab template, extended);
nbgrader's feedback keeps its own (``grading/render/templates/feedback_by_function/``).
"""
import argparse
import pathlib
import re
import sys

import nbformat
from jinja2 import pass_context
from latex2mathml.converter import convert as latex_to_mathml
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from traitlets import default

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEMPLATES = pathlib.Path(__file__).resolve().parent / "templates"
# An <img> whose source is not embedded data: the page would need a file or the network.
NOT_EMBEDDED = re.compile(r"<img\b[^>]*\bsrc=[\"'](?!data:)([^\"']*)", re.I)


# latex2mathml writes \log as a bare <mi>log</mi>, which browsers set flush against its
# neighbours ("0logp"); TeX puts a thin space after such an operator name, and before it when
# a number or a letter precedes it, and so does the page.
OPERATOR_NAME = re.compile(r"(?P<after_letter></mn>|</mi>)?(?P<name><mi>(?:log|exp|max|min|arg|det)</mi>)")
THIN_SPACE = '<mspace width="0.1667em"></mspace>'


def mathml(latex, display):
    """One formula as MathML, with TeX's thin spaces around operator names such as log.

    Parameters
    ----------
    latex : str
        The formula's LaTeX, without the dollar signs.
    display : {"inline", "block"}
        In the line of text, or set apart on its own line.

    Returns
    -------
    str
        A ``<math>`` element.
    """
    def spaced(match):
        before = match["after_letter"] + THIN_SPACE if match["after_letter"] else ""
        return before + match["name"] + THIN_SPACE
    return OPERATOR_NAME.sub(spaced, latex_to_mathml(latex, display=display))


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, writing each formula as MathML instead of TeX for MathJax."""

    def block_math(self, body):
        return mathml(body, "block")

    def inline_math(self, body):
        return mathml(body, "inline")

    def latex_environment(self, name, body):
        return mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block")


class ReaderHTMLExporter(HTMLExporter):
    """HTML for readers: MathML formulas, embedded images, no scripts, test cells folded."""

    export_from_notebook = None  # not offered in Jupyter's "Save and Export As" menu

    @default("template_name")
    def _template_name_default(self):
        return "reader"  # grading/render/templates/reader/, which extends nbconvert's lab template

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(TEMPLATES)]

    @default("embed_images")
    def _embed_images_default(self):
        return True

    @pass_context
    def markdown2html(self, context, source):
        """Markdown to HTML, as nbconvert does, with each formula converted to MathML."""
        cell = context.get("cell", {})
        path = context.get("resources", {}).get("metadata", {}).get("path", "")
        renderer = MathMLRenderer(escape=False, attachments=cell.get("attachments", {}),
                                  embed_images=self.embed_images, path=path,
                                  anchor_link_text=self.anchor_link_text,
                                  exclude_anchor_links=self.exclude_anchor_links,
                                  **self.lexer_options)
        return MarkdownWithMath(renderer=renderer).render(source)


def reader_html(notebook, images):
    """The readers' HTML of ``notebook``.

    Parameters
    ----------
    notebook : path-like
        An executed notebook (the solution notebook).
    images : path-like
        The folder the notebook's markdown images are relative to (the assignment's source
        folder, where ``make data`` writes ``lineup.png``).

    Returns
    -------
    str
        The page.

    Raises
    ------
    FileNotFoundError
        If an image the markdown shows is not in ``images``: the page would show a broken image.
    """
    notebook, images = pathlib.Path(notebook), pathlib.Path(images)
    nb = nbformat.read(notebook, as_version=4)
    resources = {"metadata": {"name": notebook.stem, "path": str(images)}}
    html, _ = ReaderHTMLExporter().from_notebook_node(nb, resources=resources)
    missing = NOT_EMBEDDED.findall(html)
    if missing:
        raise FileNotFoundError(f"images not found in {images}, so not embedded in the page: "
                                f"{sorted(set(missing))} (run `make data` first)")
    return html


def main(argv=None):
    """Write the readers' HTML of a notebook (``python -m grading.render.reader_html --help``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=pathlib.Path,
                        help="the executed notebook (solutions/<assignment>/<assignment>.ipynb)")
    parser.add_argument("--images", type=pathlib.Path,
                        help="the folder of the markdown's images (default: the assignment's "
                        "folder in source/, named as the notebook's)")
    parser.add_argument("--output", type=pathlib.Path,
                        help="where to write the page (default: the notebook's path, with .html)")
    args = parser.parse_args(argv)
    output = args.output or args.notebook.with_suffix(".html")
    images = args.images or ROOT / "source" / args.notebook.stem
    try:
        html = reader_html(args.notebook, images)
    except FileNotFoundError as error:
        sys.exit(f"grading.render.reader_html: {error}")
    output.write_text(html, encoding="utf-8")


if __name__ == "__main__":
    main()
