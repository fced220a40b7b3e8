"""Grade the notebook the instructor released, with the student's answers in it.

nbgrader's own sanitising (``OverwriteCells``) repairs the cells a student changed but
keeps the student's notebook as the frame: a test cell tagged ``skip-execution`` is not
run and keeps its points, a deleted test cell is not put back, and a flipped ``grade``
flag stops the grading of the whole submission. ``RebuildNotebook`` turns this around:
the graded notebook is the released one, cell for cell, in the released order, and
from the submission it takes only

- the source of each solution cell, matched by its grade_id;
- the cells the student added, each kept after the released cell it followed (cells
  added above the first code cell go after it, so that the grading checks are imported
  before any student code runs), with their nbgrader metadata and tags removed.

Every test and read-only cell comes from the gradebook (its full source, hidden tests
included) with the released metadata, so tags, edits, deletions, reordering and changed
``grade``, ``points``, ``locked`` or ``grade_id`` fields gain nothing. What was repaired,
and what ``grading/steps/scan.py`` found in the student's code, is recorded in the notebook's
metadata under ``grading`` for ``grading/steps/review.py`` and ``grading/run/summary.py``.
"""
import copy
import os

import nbformat
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool

from grading.steps import scan
from grading.steps.notebook_record import NotebookRecord

START = "\0start"  # anchor of cells the student added above every released cell
NBGRADER_FIELDS = ("grade", "solution", "locked", "points", "task")
_SCAN_CONTEXTS = {}  # RebuildNotebook.scan_context's results, by the assignment's cells


def meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id(cell):
    return meta(cell).get("grade_id")


class RebuildNotebook(NbGraderPreprocessor):
    """Rebuild the submission from the released notebook and the student's answers."""

    scan_code = Bool(
        True, help="Read the student's code for constructs that reach into the grading "
        "(grading/steps/scan.py) and note them, so that grading/steps/review.py holds the test cells after "
        "them for review. No points depend on it: verdicts are reached outside the kernel "
        "(grading/verdicts/); it tells the instructor what was tried."
    ).tag(config=True)

    def release_notebook(self, resources):
        info = resources["nbgrader"]
        coursedir = CourseDirectory(parent=self)
        path = os.path.join(coursedir.root, coursedir.release_directory, info["assignment"],
                            info["notebook"] + ".ipynb")
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path} is missing: run `nbgrader generate_assignment` first")
        return nbformat.read(path, as_version=4)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        release = self.release_notebook(resources)
        with Gradebook(info["db_url"]) as gb:
            stored = {c.name: c.source for c in
                      gb.find_notebook(info["notebook"], info["assignment"]).source_cells}
        repairs = []
        released_ids = [grade_id(c) for c in release.cells if grade_id(c)]
        missing_in_gradebook = set(released_ids) - set(stored)
        if missing_in_gradebook:
            raise ValueError(f"release/ has cells the gradebook does not know "
                             f"({', '.join(sorted(missing_in_gradebook))}): run "
                             "`nbgrader generate_assignment` again")
        released_ids_plain = {c.get("id") for c in release.cells if not grade_id(c)} - {None}
        released_sources = {c.source for c in release.cells if not grade_id(c)}
        released_graded = {c.source: grade_id(c) for c in release.cells if grade_id(c)
                           and not meta(c).get("solution")}

        # The student's cells: the one matching each released grade_id, and the added ones.
        theirs, added, order = {}, {START: []}, []
        anchor = START
        for cell in nb.cells:
            gid = grade_id(cell)
            if gid in released_ids and gid not in theirs:
                theirs[gid] = cell
                order.append(gid)
                anchor = gid
                added.setdefault(gid, [])
            elif gid is None and (cell.get("id") in released_ids_plain or cell.source in released_sources):
                continue  # a released markdown or plain cell: the released copy is used
            elif cell.source in released_graded:  # a copy of a test or read-only cell
                repairs.append(f"a copy of {released_graded[cell.source]} was left out")
            else:
                if gid is not None:
                    repairs.append(f"a cell with grade_id {gid!r} "
                                   f"({'a second copy' if gid in theirs else 'not in the release'}) "
                                   "was kept as an ordinary cell")
                added.setdefault(anchor, []).append(cell)
        if order != [g for g in released_ids if g in theirs]:
            repairs.append("cells in another order than released: put back in order")

        cells, first_code = [], next((grade_id(c) for c in release.cells
                                      if grade_id(c) and c.cell_type == "code"), None)
        flags = []
        protected, release_imports = self.scan_context(release, stored)
        for cell in release.cells:
            gid = grade_id(cell)
            graded = copy.deepcopy(cell)
            if gid is None:
                cells.append(graded)
                continue
            student = theirs.get(gid)
            if meta(cell).get("solution"):
                if student is None:
                    repairs.append(f"solution cell {gid} is missing: nothing was put in its place")
                    graded = None
                else:
                    graded.source = student.source
                    self.note_changes(gid, cell, student, repairs, solution=True)
            else:
                graded.source = stored[gid]
                if student is None:
                    repairs.append(f"{gid} was deleted: restored")
                else:
                    self.note_changes(gid, cell, student, repairs, solution=False)
            if graded is not None:
                if graded.cell_type == "code":
                    graded.outputs, graded.execution_count = [], None
                cells.append(graded)
                if meta(cell).get("solution"):
                    self.scan(graded, gid, protected, release_imports, flags, len(cells) - 1)
            extra = added.get(gid, []) + (added[START] if gid == first_code else [])
            for n, cell_added in enumerate(extra):
                plain = self.as_added(cell_added, f"added-{len(cells)}-{n}")
                cells.append(plain)
                self.scan(plain, f"a cell added after {gid}", protected, release_imports, flags,
                          len(cells) - 1)
        if added[START] and first_code is None:
            raise ValueError("the released notebook has no code cell with a grade_id")

        rebuilt = copy.deepcopy(release)
        rebuilt.cells = cells
        rebuilt.metadata[NotebookRecord.KEY] = {NotebookRecord.REPAIRS: repairs, NotebookRecord.FLAGS: flags}
        for line in repairs:
            self.log.warning("%s: %s", info.get("student"), line)
        for flag in flags:
            self.log.warning("%s: %s: %s", info.get("student"), flag["where"], flag["what"])
        return rebuilt, resources

    @classmethod
    def scan_context(cls, release, stored):
        """(names the tests use, {name: module} the read-only cells import), for grading/steps/scan.py.

        It depends on the assignment alone, not on the student: a worker computes it once for
        the students it grades (parsing every test cell again cost about 0.1 s of CPU a student)."""
        key = tuple((c.cell_type, grade_id(c), bool(meta(c).get("grade")), bool(meta(c).get("solution")),
                     stored.get(grade_id(c))) for c in release.cells if grade_id(c))
        if key not in _SCAN_CONTEXTS:
            imports = {}
            for cell in release.cells:
                if grade_id(cell) and not meta(cell).get("solution") and cell.cell_type == "code":
                    imports.update(scan.imports_in(stored[grade_id(cell)]))
            _SCAN_CONTEXTS[key] = (frozenset(cls.protected_names(release, stored)), imports)
        protected, imports = _SCAN_CONTEXTS[key]
        return set(protected), dict(imports)

    @staticmethod
    def protected_names(release, stored):
        """Names that test cells read and that the released read-only cells define."""
        read, defined = set(), set()
        for cell in release.cells:
            gid, m = grade_id(cell), meta(cell)
            if cell.cell_type != "code" or not gid:
                continue
            if m.get("grade"):  # what a test reads and does not set itself
                read |= scan.names_read(stored[gid]) - scan.names_bound(stored[gid])
            elif not m.get("solution"):
                defined |= scan.names_bound(stored[gid])
        return read & defined

    @staticmethod
    def note_changes(gid, released, student, repairs, solution):
        if not solution and student.source != released.source:
            repairs.append(f"{gid} was edited: restored")
        changed = [f for f in NBGRADER_FIELDS if meta(student).get(f) != meta(released).get(f)]
        if changed:
            repairs.append(f"{gid}: nbgrader metadata changed ({', '.join(changed)}): restored")
        tags = student.get("metadata", {}).get("tags", [])
        if tags:
            repairs.append(f"{gid}: tags {tags} removed")
        if student.cell_type != released.cell_type:
            repairs.append(f"{gid} was turned into a {student.cell_type} cell: restored")

    @staticmethod
    def as_added(cell, new_id):
        plain = copy.deepcopy(cell)
        plain.metadata.pop("nbgrader", None)
        plain.metadata.pop("tags", None)
        plain["id"] = new_id
        if plain.cell_type == "code":
            plain.outputs, plain.execution_count = [], None
        return plain

    def scan(self, cell, where, protected, release_imports, flags, index):
        if cell.cell_type != "code" or not self.scan_code:
            return
        for what in scan.findings(cell.source, protected, release_imports):
            flags.append({"cell": index, "where": where, "what": what})
