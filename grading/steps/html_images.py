"""The images of a graded notebook's HTML pages (the feedback, the formgrader's view): all in the page.

A graded notebook's folder holds the notebook and nbgrader's two small files, not the
course's files (``grading/steps/course_files.py``), and the feedback folder holds only the page. Two
steps of every ``HTMLExporter`` built from ``nbgrader_config.py`` (before the sanitizer,
``grading/steps/sanitize.py``) make the page show every image from its own bytes, with alt text:

- ``EmbedCourseImages``: a markdown image of the course's own text (the lineup,
  ``![...](lineup.png)``) is written into the page, as the readers' HTML of the solutions does
  (``grading/render/reader_html.py``), read from the file nbgrader released beside the notebook
  (``release/<assignment>/``). Only markdown cells whose text is a released markdown cell's,
  word for word, get it: a student's own cell cannot make the page copy a file, however often
  it names one.
- ``DescribeStudentFigures``: a figure drawn by a cell the student wrote (a solution cell or
  a cell they added) gets alt text saying so, as the course's figures say what they show
  (``em_grading.show_figure``). nbconvert would otherwise write its own placeholder and warn.
"""
import base64
import functools
import mimetypes
import os
import re

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbgrader.coursedir import CourseDirectory

# ![alt](name), the name a plain file beside the notebook.
MARKDOWN_IMAGE = re.compile(r"!\[(?P<alt>[^\]\n]*)\]\((?P<name>[A-Za-z0-9_][A-Za-z0-9_.\-]*)\)")
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif"}
OUTPUT_IMAGES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
STUDENT_FIGURE = "A figure drawn by code the student wrote; it has no description."


def assignment_and_notebook(resources):
    """(assignment, notebook) of the notebook being rendered: ``nbgrader generate_feedback``
    passes them under ``nbgrader``, the formgrader as ``assignment_id`` and ``notebook_id``."""
    info = resources.get("nbgrader") or {}
    return (info.get("assignment") or resources.get("assignment_id"),
            info.get("notebook") or resources.get("notebook_id"))


@functools.lru_cache(maxsize=32)
def _released(folder, notebook, stamp):
    """(markdown sources, {image name: (MIME type, base64)}) of a released notebook's folder;
    ``stamp`` (the notebook's mtime and size) makes a new release read again."""
    nb = nbformat.read(os.path.join(folder, notebook + ".ipynb"), as_version=4)
    markdown = frozenset(c.source for c in nb.cells if c.cell_type == "markdown")
    images = {}
    for name in sorted({m["name"] for source in markdown for m in MARKDOWN_IMAGE.finditer(source)}):
        path = os.path.join(folder, name)
        kind, _ = mimetypes.guess_type(name)
        if kind in IMAGE_TYPES and os.path.isfile(path) and not os.path.islink(path):
            with open(path, "rb") as f:
                images[name] = (kind, base64.b64encode(f.read()).decode("ascii"))
    return markdown, images


class EmbedCourseImages(Preprocessor):
    """Write the released images that the course's markdown shows into the page (module docstring)."""

    def released(self, resources):
        """What the release holds for this notebook, or ``(frozenset(), {})`` if there is none."""
        assignment, notebook = assignment_and_notebook(resources)
        if not assignment or not notebook:
            return frozenset(), {}
        coursedir = CourseDirectory(config=self.config)
        folder = coursedir.format_path(coursedir.release_directory, ".", assignment)
        try:
            stat = os.stat(os.path.join(folder, notebook + ".ipynb"))
        except OSError:
            return frozenset(), {}
        return _released(folder, notebook, (stat.st_mtime_ns, stat.st_size))

    def preprocess(self, nb, resources):
        markdown, images = self.released(resources)
        if not images:
            return nb, resources
        for cell in nb.cells:
            if cell.cell_type != "markdown" or cell.source not in markdown:
                continue
            shown = {m["name"] for m in MARKDOWN_IMAGE.finditer(cell.source)} & set(images)
            if not shown:
                continue
            attachments = cell.setdefault("attachments", {})
            for name in shown:
                kind, data = images[name]
                attachments[name] = {kind: data}
            cell.source = MARKDOWN_IMAGE.sub(
                lambda m: f"![{m['alt']}](attachment:{m['name']})" if m["name"] in shown else m[0],
                cell.source)
        return nb, resources


def written_by_the_student(cell):
    """Is ``cell`` code the student wrote: a solution cell, or a cell they added (no nbgrader
    fields)? The course's read-only and test cells are not."""
    fields = cell.get("metadata", {}).get("nbgrader") or {}
    return cell.cell_type == "code" and (fields.get("solution") or not fields.get("grade_id"))


class DescribeStudentFigures(Preprocessor):
    """Give each image output of the student's own cells alt text saying what it is."""

    def preprocess_cell(self, cell, resources, index):
        if not written_by_the_student(cell):
            return cell, resources
        for output in cell.get("outputs", []):
            for kind in OUTPUT_IMAGES:
                if kind in output.get("data", {}):
                    described = output.setdefault("metadata", {}).setdefault(kind, {})
                    if not isinstance(described, dict):
                        output.metadata[kind] = described = {}
                    if not isinstance(described.get("alt"), str) or not described["alt"].strip():
                        described["alt"] = STUDENT_FIGURE
        return cell, resources
