"""The course's assignments: the registry, and each assignment's facts, read from its folder.

``assignments.toml`` at the top of the course lists the assignments, one name each, in the
order they are taught; it is the one line a new assignment adds outside its own folder. Each
lives in ``source/<name>/``: its notebook ``<name>.ipynb`` (the only hand-written one), the
helper module its test cells import, its data, and ``assignment.toml`` with the facts code
outside the notebook needs and the notebook cannot say itself (``nbgrader_config.py`` keeps
that file out of the release). What the notebook says is read from it: the functions a
student writes are its solution cells that define a function of the cell's ``grade_id``, in
notebook order; its answers are its other solution cells.

Tools and tests take an assignment's name and call ``load(name)``; nothing else of the course
names an assignment.
"""
import dataclasses
import functools
import json
import tomllib
from pathlib import Path

from grading.verdicts.judge import load_module

__all__ = ["Assignment", "REGISTRY", "FACTS", "ROOT", "load", "names"]

ROOT = Path(__file__).resolve().parents[1]  # this repository, the course the tools work on
REGISTRY = "assignments.toml"
FACTS = "assignment.toml"


@dataclasses.dataclass(frozen=True)
class Assignment:
    """One assignment's facts.

    Attributes
    ----------
    name : str
        Its folder in source/, release/, submitted/, ... and its notebook's stem.
    course : Path
        The course folder it belongs to.
    checks_module : str
        The module its test cells import for their checks and inputs (``em_grading``), a
        file in its folder; the grader loads the instructor's copy (grading/verdicts/).
    functions : tuple of str
        The functions a student writes, in notebook order; each is its solution cell's grade_id.
    answers : tuple of str
        Its other solution cells (answers to questions), in notebook order.
    extra : dict
        Whatever else ``assignment.toml`` says (em_prankster: the seed's ``schedule``).
    """

    name: str
    course: Path
    checks_module: str
    functions: tuple
    answers: tuple
    extra: dict = dataclasses.field(default_factory=dict, compare=False)

    @property
    def notebook(self):
        """Its notebook's file name."""
        return f"{self.name}.ipynb"

    @property
    def folder(self):
        """Its folder in source/."""
        return self.course / "source" / self.name

    @property
    def source_notebook(self):
        return self.folder / self.notebook

    @property
    def checks_path(self):
        return self.folder / f"{self.checks_module}.py"

    def checks(self):
        """Its checks module, imported from its folder under a name of its own (two
        assignments' helpers of the same name never collide)."""
        return load_module(self.checks_path, f"_assignment_checks.{self.name}.{self.checks_module}")

    def section_of(self, grade_id):
        """The function or answer cell a test cell checks, from its grade_id
        (``run_m_step_hidden_face`` -> ``run_m_step``); the grade_id itself if none."""
        return next((s for s in (*self.functions, *self.answers) if grade_id.startswith(s + "_")),
                    grade_id)


def names(course=ROOT):
    """The registry: the course's assignments, in teaching order."""
    return list(tomllib.loads((Path(course) / REGISTRY).read_text())["assignments"])


def solution_cells(notebook_path):
    """(functions, answers): the notebook's solution cells that define a function named as
    their grade_id, and the others, in notebook order."""
    import ast

    functions, answers = [], []
    for cell in json.loads(Path(notebook_path).read_text())["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
        if cell.get("cell_type") != "code" or not meta.get("solution"):
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))
        try:
            defined = {n.name for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)}
        except SyntaxError:
            defined = set()
        (functions if meta["grade_id"] in defined else answers).append(meta["grade_id"])
    return tuple(functions), tuple(answers)


@functools.lru_cache(maxsize=None)
def _load(name, course):
    folder = course / "source" / name
    facts_file = folder / FACTS
    if not facts_file.exists():
        raise FileNotFoundError(f"{facts_file} is missing: every assignment in {REGISTRY} has "
                                f"a folder source/{name}/ with its notebook and {FACTS}")
    facts = tomllib.loads(facts_file.read_text())
    functions, answers = solution_cells(folder / f"{name}.ipynb")
    checks_module = facts.pop("checks_module")
    return Assignment(name, course, checks_module, functions, answers, facts)


def load(name, course=ROOT):
    """The facts of assignment ``name`` of the course at ``course`` (this repository by default)."""
    return _load(name, Path(course).resolve())
