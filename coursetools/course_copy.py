"""A copy of the course, as tests, benchmarks and the hub's set-up make one.

``COURSE_FILES`` is what a course is made of: its nbgrader configuration, its registry of
assignments, the grading code its configuration names, and ``source/`` (with the data, once
``make data`` has drawn it). Everything else in the repository is generated from these, or is
tooling.
"""
import shutil
from pathlib import Path

__all__ = ["COURSE_FILES", "copy_course"]

COURSE_FILES = ("nbgrader_config.py", "assignments.toml", "grading", "source")


def copy_course(source, target):
    """Copy ``COURSE_FILES`` from the course folder ``source`` into ``target`` (made if missing),
    leaving out checkpoints and bytecode; a name ``source`` lacks (an older checkout) is skipped.
    Returns ``target`` as a Path."""
    source, target = Path(source), Path(target)
    target.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for name in COURSE_FILES:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name, ignore=ignore)
        elif (source / name).exists():
            shutil.copy(source / name, target / name)
    return target
