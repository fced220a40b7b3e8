"""The solution's HTML for readers (grading/render/reader_html.py), without a browser.

tests/test_browser.py opens the page offline in chromium; these check what can be read from
the file itself, and that a page that would show a broken image is not written.
"""
import re
import shutil

import pytest

from support import SOLUTION_NB
from grading.render import reader_html

PAGE = SOLUTION_NB.with_suffix(".html")


def test_page_loads_nothing_from_outside():
    html = PAGE.read_text(encoding="utf-8")
    assert not re.search(r"<script\b", html, re.I), "the readers' page must load no script"
    assert not re.search(r"<link\b", html, re.I), "the readers' page must link no style sheet"
    outside = re.findall(r"""\b(?:src|href)=["']?(?!data:|#)([^"'\s>]+)""", html)
    assert not outside, f"the page refers to files or addresses outside itself: {sorted(set(outside))[:10]}"


def test_a_missing_image_stops_the_build(tmp_path):
    """Without lineup.png beside it, the page is not made, and the message says what is missing."""
    shutil.copy(SOLUTION_NB, tmp_path / SOLUTION_NB.name)
    with pytest.raises(FileNotFoundError, match=r"lineup\.png.*make data"):
        reader_html.reader_html(tmp_path / SOLUTION_NB.name, images=tmp_path)


def test_operator_names_get_tex_spacing():
    spaced = reader_html.mathml(r"0 \log 0", "inline")
    thin = reader_html.THIN_SPACE
    assert f"<mn>0</mn>{thin}<mi>log</mi>{thin}<mn>0</mn>" in spaced, spaced
    assert f"<mo stretchy=\"false\">&#x00028;</mo><mi>log</mi>{thin}" in reader_html.mathml(r"(\log p)", "inline")
