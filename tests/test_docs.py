"""The README and docs/ name only what exists: links, paths, make targets, modules, commands.

For README.md and every docs/*.md:

1. every relative link (``[text](path)``, ``![alt](path)``) points at a file or folder of the
   repository, and a ``#anchor`` into a page at one of its headings;
2. every repository path in backticks exists: a word of a code span that has a ``/`` or ends
   in one of ``PATH_ENDINGS``. A path with a ``/`` is read from the top of the repository
   (``<name>`` stands for any one name); a bare file name (``em_grading.py``) must be some
   file's name in the repository. What a run writes (``GENERATED``) and names that are not
   files of the course (``NOT_COURSE_FILES``) are left out, each listed below with why;
3. every ``make TARGET`` in a code span or code block is a target of the Makefile;
4. every ``python -m MODULE`` is importable (``importlib.util.find_spec``), every
   ``nbgrader SUBCOMMAND`` is one of nbgrader's, and every dotted name of the course's own
   packages (``grading.run.parallel.merge``) imports;
5. the README's picture is one of the committed solution notebook's figures, as it is made
   today (``python tests/test_docs.py --picture`` writes it again after the solutions change).

Fast: it reads text files and imports the course's modules, nothing runs.
"""
import base64
import fnmatch
import importlib
import importlib.util
import json
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PICTURE = ROOT / "docs" / "photos.png"
# The figure the picture is: its alt text in solutions/em_prankster/em_prankster.ipynb begins so.
PICTURE_ALT = "Photos 0, 1 and 2"
SOLUTION_NB = ROOT / "solutions" / "em_prankster" / "em_prankster.ipynb"

# A word in backticks is a path if it has a "/" or ends in one of these.
PATH_ENDINGS = (".py", ".toml", ".ipynb", ".json", ".yml", ".md", ".txt", ".csv", ".html", ".js")

# What a run writes, so that a fresh clone does not have it: a path is left out when its first
# part, or a bare name, is one of these.
GENERATED = {
    # the grading run and nbgrader (make autograde, make feedback, python -m grading.run)
    "submitted", "autograded", "feedback", ".grading", "gradebook.db", "grades.csv",
    "grading_summary.txt", "grades_by_cell.csv", "grading_results.json",
    "class_report.html", "class_report.csv",
    # nbgrader's own files in a submission (nbgrader submit, collect)
    "timestamp.txt", "submission_secret.txt",
    # the answer key, reports, screenshots, measurements (make data, make mutants, the tests)
    "build",
    # the hub's environment and state (make hub-env, make hub), outside the repository
    "passwords.json",
    # setuptools' notes on the editable install (make venv)
    "em_prankster.egg-info",
}
# Names in backticks that are not files of the course at all.
NOT_COURSE_FILES = {
    # the old commit's notebook and checks, checked out by hand for the mutation table
    "old",
    # the second assignment tests/test_new_assignment.py writes into a scratch copy
    "doubling", "doubling_checks.py",
}
# MIME types look like paths.
MIME_TOPS = {"image", "text", "application", "audio", "video"}
COURSE_PACKAGES = ("grading", "prankster", "coursetools", "demo", "bench", "hub")
SKIP_DIRS = {".git", ".venv", "__pycache__", ".pytest_cache", "node_modules", "build",
             "submitted", "autograded", "feedback", ".grading", "em_prankster.egg-info"}


def text_of(page):
    return page.read_text(encoding="utf-8")


def rel(page):
    return page.relative_to(ROOT).as_posix()


FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.S | re.M)


def code_blocks(text):
    return [m.group(0) for m in FENCE.finditer(text)]


def code_spans(text):
    """Inline code spans (a span may run over a line break), outside code blocks."""
    prose = FENCE.sub("", text)
    return [" ".join(m.group(1).split()) for m in re.finditer(r"`([^`]+)`", prose)]


def code(text):
    """Every piece of code on the page: code blocks line by line, and code spans."""
    lines = [line.split("#")[0] for block in code_blocks(text) for line in block.splitlines()[1:-1]]
    return lines + code_spans(text)


def repo_basenames():
    names = set()
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        names.update(files)
        names.update(dirs)
    return names


# 1. Links ---------------------------------------------------------------------------------------

LINK = re.compile(r"!?\[(?:[^\]]|\n)*?\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def slug(heading):
    """GitHub's anchor for a heading."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page):
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.*)$", FENCE.sub("", text_of(page)), re.M)}


@pytest.mark.parametrize("page", PAGES, ids=rel)
def test_every_relative_link_points_at_something_that_exists(page):
    problems = []
    for target in LINK.findall(FENCE.sub("", text_of(page))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        where = (page.parent / path).resolve() if path else page
        if not where.exists():
            problems.append(f"{rel(page)}: the link to {target} points at "
                            f"{os.path.relpath(where, ROOT)}, which does not exist")
        elif anchor and where.suffix == ".md" and anchor not in anchors(where):
            problems.append(f"{rel(page)}: the link to {target}: {os.path.relpath(where, ROOT)} "
                            f"has no heading whose anchor is #{anchor}")
    assert not problems, "\n".join(problems)


# 2. Paths ---------------------------------------------------------------------------------------

PATH_WORD = re.compile(r"^[\w.<>*+-][\w./<>*+-]*$")


def named_paths(text):
    """The words of the page's code spans that look like repository paths."""
    for span in code_spans(text):
        for word in span.split():
            word = word.strip(",;()")
            # absolute paths, URLs, relative URLs (`../../api/...`) and variables are not the
            # repository's; neither is a bare extension (`.html`)
            if (not PATH_WORD.match(word) or "://" in word or word.startswith(("/", "~", "$", "../"))
                    or re.fullmatch(r"\.\w+", word)):
                continue
            if "/" not in word and not word.endswith(PATH_ENDINGS):
                continue
            parts = [p for p in word.split("/") if p]
            if not parts or parts[0] in MIME_TOPS:
                continue
            yield word


def is_left_out(word):
    """What a run writes (the first part of the path, or the bare name), or not the course's."""
    parts = [p for p in word.split("/") if p]
    return parts[0] in GENERATED or bool(set(parts) & NOT_COURSE_FILES)


def exists(word, basenames):
    if "/" not in word:
        return any(fnmatch.fnmatchcase(name, re.sub(r"<[^>]+>", "*", word)) for name in basenames)
    pattern = re.sub(r"<[^>]+>", "*", word.rstrip("/"))
    if any(c in pattern for c in "*?["):
        return any(ROOT.glob(pattern))
    return (ROOT / pattern).exists()


@pytest.mark.parametrize("page", PAGES, ids=rel)
def test_every_path_named_in_backticks_exists(page):
    basenames = repo_basenames()
    missing = sorted({word for word in named_paths(text_of(page))
                      if not is_left_out(word) and not exists(word, basenames)})
    assert not missing, "\n".join(
        f"{rel(page)}: `{word}` is not in the repository"
        + ("" if "/" in word else " (no file or folder of that name)") for word in missing)


# 3. make targets --------------------------------------------------------------------------------

def makefile_targets():
    text = (ROOT / "Makefile").read_text()
    targets = set()
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z][\w.-]*(?:[ \t]+[A-Za-z][\w.-]*)*)[ \t]*::?(?!=)", line)
        if m:
            targets.update(m.group(1).split())
    return targets


def make_targets_named(text):
    for piece in code(text):
        for m in re.finditer(r"(?:^|[\s;&|(])make((?:[ \t]+[^\s;&|)#]+)+)", piece):
            for word in m.group(1).split():
                if "=" in word or word.startswith("-"):
                    continue
                yield word


@pytest.mark.parametrize("page", PAGES, ids=rel)
def test_every_make_target_named_is_in_the_makefile(page):
    targets = makefile_targets()
    missing = sorted(set(make_targets_named(text_of(page))) - targets)
    assert not missing, "\n".join(f"{rel(page)}: `make {name}`: the Makefile has no target {name}"
                                  for name in missing)


# 4. Modules and commands ------------------------------------------------------------------------

def modules_named(text):
    for piece in code(text):
        yield from re.findall(r"\bpython[\d.]*\s+-m\s+([\w.]+)", piece)


def nbgrader_subcommands_named(text):
    for piece in code(text):
        yield from re.findall(r"(?:^|[\s;&|(])nbgrader\s+([a-z_]+)", piece)


def course_names_named(text):
    """Dotted names of the course's own packages in code spans (``grading.steps.late``)."""
    for span in code_spans(text):
        for word in re.findall(r"\b(?:%s)(?:\.\w+)+" % "|".join(COURSE_PACKAGES), span):
            if not re.search(r"\.(py|toml|json|js|html|txt|md|csv)$", word):
                yield word


def resolves(dotted):
    """Whether ``a.b.c`` is a module, or an attribute of the longest module it starts with."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module = ".".join(parts[:cut])
        try:
            found = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            found = None
        if found:
            obj = importlib.import_module(module)
            for attribute in parts[cut:]:
                if not hasattr(obj, attribute):
                    return False
                obj = getattr(obj, attribute)
            return True
    return False


@pytest.mark.parametrize("page", PAGES, ids=rel)
def test_every_python_module_named_can_be_imported(page):
    problems = [f"{rel(page)}: `python -m {name}`: no module {name} can be imported"
                for name in sorted(set(modules_named(text_of(page))))
                if importlib.util.find_spec(name) is None]
    problems += [f"{rel(page)}: `{name}` names nothing of the course's code"
                 for name in sorted(set(course_names_named(text_of(page)))) if not resolves(name)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", PAGES, ids=rel)
def test_every_nbgrader_subcommand_named_is_nbgraders(page):
    from nbgrader.apps import NbGraderApp

    missing = sorted(set(nbgrader_subcommands_named(text_of(page))) - set(NbGraderApp.subcommands))
    assert not missing, "\n".join(f"{rel(page)}: `nbgrader {name}`: nbgrader has no such subcommand"
                                  for name in missing)


# 5. The picture ---------------------------------------------------------------------------------

def solution_figure():
    """The PNG bytes of the solution notebook's figure whose alt text begins PICTURE_ALT."""
    for cell in json.loads(SOLUTION_NB.read_text())["cells"]:
        for output in cell.get("outputs", []):
            alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
            if alt.startswith(PICTURE_ALT) and "image/png" in output.get("data", {}):
                return base64.b64decode(output["data"]["image/png"])
    raise LookupError(f"{rel(SOLUTION_NB)} has no figure whose alt text begins {PICTURE_ALT!r}")


def test_the_readme_shows_the_solutions_figure_as_it_is_now():
    assert f"]({rel(PICTURE)})" in text_of(ROOT / "README.md"), f"README.md does not show {rel(PICTURE)}"
    assert PICTURE.read_bytes() == solution_figure(), (
        f"{rel(PICTURE)} is no longer the figure of {rel(SOLUTION_NB)} whose alt text begins "
        f"{PICTURE_ALT!r}: run `python tests/test_docs.py --picture` and commit it")


# The checker itself, on text whose answers are known ---------------------------------------------

def test_the_checks_find_what_they_look_for():
    page = ("Run `make demo`, `make hub HUB_PORT=8001`, `python -m grading.run em_prankster`\n"
            "and `nbgrader generate_feedback x`; see `grading/run/summary.py`, `em_grading.py`,\n"
            "`image/png`, `http://x/y`, `/usr/bin/bwrap`, `grading_summary.txt`, `python -m\n"
            "bench.run`, `grading.run.parallel.merge`.\n\n```bash\nmake test  # make nothing\n```\n")
    assert sorted(make_targets_named(page)) == ["demo", "hub", "test"]
    assert sorted(modules_named(page)) == ["bench.run", "grading.run"]
    assert list(nbgrader_subcommands_named(page)) == ["generate_feedback"]
    assert list(named_paths(page)) == ["grading/run/summary.py", "em_grading.py", "grading_summary.txt"]
    assert is_left_out("grading_summary.txt") and not is_left_out("grading/run/summary.py")
    assert is_left_out("submitted/<student>/") and not is_left_out("demo/submitted/")
    assert exists("source/<name>/assignment.toml", repo_basenames()) and exists("<name>.ipynb", repo_basenames())
    assert not exists("grading/parallel.py", repo_basenames())
    assert resolves("grading.run.parallel.merge") and not resolves("grading.parallel")
    assert "the-tests" in {slug("The tests")} and slug("`make check` vs `make test`") == "make-check-vs-make-test"


if __name__ == "__main__":
    if sys.argv[1:] == ["--picture"]:
        PICTURE.parent.mkdir(exist_ok=True)
        PICTURE.write_bytes(solution_figure())
        print(f"wrote {rel(PICTURE)} from {rel(SOLUTION_NB)}")
    else:
        sys.exit(f"usage: python {rel(Path(__file__))} --picture   (writes {rel(PICTURE)})")
