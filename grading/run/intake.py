"""Check each submission before grading, and stage a copy nbgrader can grade.

nbgrader grades ``submitted/<student>/<assignment>/<notebook>.ipynb`` in place of the
notebook it released. A submission whose notebook was renamed is skipped as "unknown",
one saved as invalid JSON stops with a traceback, and one with no notebook at all stops
too. ``stage`` looks at every student's folder, never changes it, and copies it into a
staging folder, fixing what can be fixed:

- the notebook renamed, and the only one in the folder: staged under the released name;
- a notebook saved by another nbformat version: converted to version 4;
- a notebook too large or not a notebook (invalid JSON, no cells), no notebook, or
  several notebooks none of which has the released name: not staged, with the reason;
- symbolic links are never followed: a link in the folder is left out of the staged copy
  (with a note), and a student or assignment folder that is itself a link is not staged.
  A link copied as its target would put a file of the grading machine (the reference
  solution, another student's work) in front of the student's code;
- only the notebook and what ``nbgrader submit`` adds (``NBGRADER_FILES``) are staged, when
  ``keep`` names the assignment's files (``grading.run.parallel`` does). A copy of a file the
  course released beside the notebook (the photos, ``em_grading.py``) is not staged either:
  grading lends the kernel the course's own (``grading/steps/course_files.py``), so copying the
  student's would only cost space. Anything else a student handed in (an ``.html`` page, an
  SVG, a script, another notebook) is left out, with a note listing it. nbgrader copies every
  file of a submission into ``autograded/``, where the formgrader serves it from the
  instructor's own origin, so a page handed in would run there as the instructor; grading
  never needs such files (the kernel's sandbox holds only the assignment's files).

It returns ``{student: Intake}``; what it noted is reported in the grading summary.
"""
import dataclasses
import json
import os
import shutil
from pathlib import Path

import nbformat

MAX_NOTEBOOK_BYTES = 100 * 2**20
# What nbgrader submit writes beside the notebook: the submission's time (the late penalty
# reads it) and the secret that names its feedback in the exchange (release_feedback reads it).
NBGRADER_FILES = {"timestamp.txt", "submission_secret.txt"}


@dataclasses.dataclass
class Intake:
    student: str
    staged: bool
    notes: list  # what was fixed, or why the submission cannot be graded


def notebooks_in(folder):
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file() and not p.is_symlink())


def links_in(folder):
    """Every symbolic link under ``folder`` (not followed), relative to it."""
    return sorted(str(Path(where, name).relative_to(folder))
                  for where, dirs, files in os.walk(folder)  # does not descend into links
                  for name in dirs + files if Path(where, name).is_symlink())


def read_notebook(path):
    """The notebook as nbformat 4, or raise ValueError with a reason a person can act on."""
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"{path.name} is {size / 2**20:.0f} MiB, over the "
                         f"{MAX_NOTEBOOK_BYTES // 2**20} MiB a notebook may have")
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text)
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not a text file")
    except json.JSONDecodeError as error:
        raise ValueError(f"{path.name} is not valid JSON ({error.msg} at line {error.lineno}, "
                         f"column {error.colno}): it may have been cut off while saving")
    if not isinstance(raw, dict) or "nbformat" not in raw:
        raise ValueError(f"{path.name} is JSON but not a notebook (no nbformat field)")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises several kinds for malformed notebooks
        raise ValueError(f"{path.name} is not a notebook nbformat can read: {error}")
    return nb, raw["nbformat"]


def course_files(release_folder):
    """The assignment's own files: every regular file nbgrader released, relative to its folder.

    Parameters
    ----------
    release_folder : path-like
        ``release/<assignment>/``.

    Returns
    -------
    set of str
        Relative paths (``data_em.npy``, ``em_grading.py``, ...), with ``NBGRADER_FILES``.
    """
    release_folder = Path(release_folder)
    return {p.relative_to(release_folder).as_posix() for p in release_folder.rglob("*")
            if p.is_file() and not p.is_symlink()} | NBGRADER_FILES


def files_in(folder):
    """Every regular file under ``folder`` (links neither listed nor followed, nor the
    notebook checkpoints), relative to it, as posix paths."""
    return sorted(str(Path(where, name).relative_to(folder).as_posix())
                  for where, dirs, files in os.walk(folder)
                  if ".ipynb_checkpoints" not in Path(where).relative_to(folder).parts
                  for name in files if not Path(where, name).is_symlink())


def stage_one(folder, staged_folder, notebook, keep=None):
    """Copy one student's assignment folder to ``staged_folder``; return the Intake notes.

    With ``keep`` (``course_files``), only the notebook and ``NBGRADER_FILES`` are copied; the
    other files of ``keep`` are the course's, and anything else is left out with a note."""
    found = notebooks_in(folder)
    named = folder / notebook
    chosen = named if named.is_file() and not named.is_symlink() else None
    links = links_in(folder)
    notes = [f"left out {len(links)} symbolic link(s), never followed: {', '.join(links[:5])}"
             ] if links else []
    if chosen is None:
        if not found:
            raise ValueError(f"no notebook in the submission (files: "
                             f"{', '.join(p.name for p in sorted(folder.iterdir())) or 'none'})")
        if len(found) > 1:
            raise ValueError(f"{len(found)} notebooks ({', '.join(p.name for p in found)}) and "
                             f"none is named {notebook}: say which one to grade by renaming it")
        chosen = found[0]
        notes.append(f"notebook named {chosen.name}: graded as {notebook}")
    nb, version = read_notebook(chosen)
    if version != 4:
        notes.append(f"notebook saved as nbformat {version}: converted to nbformat 4")
    skip = shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints")
    if keep is None:
        shutil.copytree(folder, staged_folder, symlinks=True, ignore=lambda where, names: set(
            skip(where, names)) | {n for n in names if Path(where, n).is_symlink()})
    else:
        staged_folder.mkdir(parents=True)
        left_out = []
        for name in files_in(folder):
            if name == chosen.relative_to(folder).as_posix():
                continue
            if name not in keep or name.endswith(".ipynb"):
                left_out.append(name)
                continue
            if name not in NBGRADER_FILES:  # a copy of the course's own file: grading lends the
                continue                    # kernel the course's (grading/steps/course_files.py)
            (staged_folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / name, staged_folder / name)
        if left_out:
            notes.append(f"left out {len(left_out)} file(s) that are not the assignment's: "
                         + ", ".join(left_out[:5]) + (" ..." if len(left_out) > 5 else ""))
    nbformat.write(nb, str(staged_folder / notebook))
    return notes


def stage(submitted, staging, assignment, notebook, students=None, keep=None):
    """Stage every student in ``submitted`` (or only ``students``) into ``staging``; with
    ``keep`` (``course_files``), only the notebook and ``NBGRADER_FILES``."""
    submitted, staging = Path(submitted), Path(staging)
    results = {}
    for student_dir in sorted(p for p in submitted.iterdir() if p.is_dir()):
        student = student_dir.name
        if students is not None and student not in students:
            continue
        folder = student_dir / assignment
        target = staging / student / assignment
        if target.parent.exists():
            shutil.rmtree(target.parent)
        target.parent.mkdir(parents=True)
        if student_dir.is_symlink() or folder.is_symlink():
            results[student] = Intake(student, False, [
                "the submission folder is a symbolic link, which grading never follows"])
            continue
        if not folder.is_dir():
            results[student] = Intake(student, False, [f"no {assignment}/ folder in the submission"])
            continue
        try:
            results[student] = Intake(student, True, stage_one(folder, target, notebook, keep))
        except ValueError as error:
            shutil.rmtree(target, ignore_errors=True)
            results[student] = Intake(student, False, [str(error)])
    return results
