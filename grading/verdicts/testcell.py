"""A test cell, split into the part the kernel runs and the checks the grader runs.

A test cell in ``source/`` is one readable cell. Its code calls the student's functions and
keeps what they return in variables; its checks, each between the markers::

    ### BEGIN CHECKS
    check_close(ll, np.array([...]), "calculate_log_probability(hX, hF, hB, s=30)")
    ### END CHECKS

compare those variables with what they should be. In Jupyter and under Validate the whole
cell runs in the student's kernel, checks included (the visible checks print their
expected/got messages there). When a notebook is graded, ``split`` cuts the cell in two:

- ``kernel_code``: every line outside the CHECKS regions (the hidden regions' markers are
  comments), followed by one line that hands the variables the checks read out of the
  kernel as data (``grading/verdicts/handout.py``);
- ``check_code``: the CHECKS regions, in order, which the grading process runs itself on
  those values (``grading/verdicts/judge.py``). Expected values, the secret and the checks
  therefore never reach the kernel.

The variables handed out are the names the checks read and do not bind themselves, minus
what the grader provides (``numpy`` as ``np``, the assignment's checks module, its
functions' source): each must be bound by the cell's own kernel code, so a check never
trusts a value an earlier cell (the student) could have set. A cell that breaks these
rules raises ``AuthoringError`` when it is split; ``tests/test_verdicts.py`` splits every
test cell of the notebook, so the instructor hears of it before any student is graded.
"""
import ast
import builtins
import dataclasses
import symtable

BEGIN_CHECKS = "### BEGIN CHECKS"
END_CHECKS = "### END CHECKS"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"


class AuthoringError(ValueError):
    """A test cell the grader cannot split: the message says which rule it breaks."""


@dataclasses.dataclass(frozen=True)
class TestCell:
    """One test cell, split: what the kernel runs and what the grader checks.

    Attributes
    ----------
    kernel_code : str
        The cell without its CHECKS regions (before the hand-out line).
    check_code : str
        The CHECKS regions, in order, as one block of code.
    handed_out : tuple of str
        The variables the kernel hands out for the checks, sorted.
    reads : frozenset of str
        Every name the checks read and do not bind (handed out, or provided by the grader).
    """

    __test__ = False  # not a pytest test class

    kernel_code: str
    check_code: str
    handed_out: tuple
    reads: frozenset = frozenset()

    def kernel_source(self, hand_out_call):
        """The code sent to the kernel: ``kernel_code`` and then ``hand_out_call(names)`` (a
        line that hands out the variables named), run on a copy of the notebook's namespace.

        The copy sees everything the notebook defined (the fixtures, the student's functions)
        but keeps what the test computes to itself: after the cell, the kernel holds none of
        its results, so a student's later cell finds in ``globals()`` or ``Out`` nothing the
        checks compared.
        """
        code = self.kernel_code.rstrip() + "\n" + hand_out_call(self.handed_out) + "\n"
        return f"exec(compile({code!r}, '<test cell>', 'exec'), dict(globals()))\n"


def regions(source):
    """(kernel lines, check lines) of a test cell's source; raises AuthoringError on
    unbalanced or misplaced markers."""
    kernel, checks, inside = [], [], False
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker in (BEGIN_CHECKS, END_CHECKS):
            if line != marker:
                raise AuthoringError(f"line {number}: {marker} must start at column 0")
            if (marker == BEGIN_CHECKS) == inside:
                raise AuthoringError(f"line {number}: {marker} without its "
                                     f"{'END' if inside else 'BEGIN'} marker")
            inside = marker == BEGIN_CHECKS
            continue
        if marker in (BEGIN_HIDDEN, END_HIDDEN):
            if inside:
                raise AuthoringError(f"line {number}: a CHECKS region may not cross {marker}")
        (checks if inside else kernel).append(line)
    if inside:
        raise AuthoringError(f"{BEGIN_CHECKS} without {END_CHECKS}")
    return kernel, checks


def module_names(code, filename):
    """(names bound at the top level, names read at the top level or as globals in a nested
    scope but never bound at the top level) of a block of code."""
    table = symtable.symtable(code, filename, "exec")
    bound, read = set(), set()
    for symbol in table.get_symbols():
        if symbol.is_assigned() or symbol.is_imported():
            bound.add(symbol.get_name())
        elif symbol.is_referenced():
            read.add(symbol.get_name())

    def nested(scope):
        for child in scope.get_children():
            for symbol in child.get_symbols():
                if symbol.is_global() and symbol.is_referenced():
                    read.add(symbol.get_name())
            nested(child)

    nested(table)
    return bound, read - bound


def split(source, provided=()):
    """Split a test cell's source.

    Parameters
    ----------
    source : str
        The test cell's full source, hidden regions included (as the gradebook stores it).
    provided : iterable of str
        Names the grader binds for the checks itself (``np``, the checks module and its
        helpers, the assignment's functions as source): never handed out.

    Returns
    -------
    TestCell

    Raises
    ------
    AuthoringError
        Markers out of place; code that does not compile once split; a check that reads a
        name neither the cell's kernel code binds nor the grader provides; kernel code that
        still checks (``assert``).
    """
    kernel_lines, check_lines = regions(source)
    kernel_code, check_code = "\n".join(kernel_lines), "\n".join(check_lines)
    for code, what in ((kernel_code, "the kernel's part"), (check_code, "the checks part")):
        try:
            compile(code, f"<{what}>", "exec")
        except SyntaxError as error:
            raise AuthoringError(f"{what} of the cell does not compile on its own: {error}")
    if any(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(kernel_code))):
        raise AuthoringError("an assert outside the CHECKS regions would decide in the kernel")
    kernel_bound, _ = module_names(kernel_code, "<kernel>")
    _, check_reads = module_names(check_code, "<checks>")
    wanted = check_reads - set(provided) - set(dir(builtins))
    unbound = wanted - kernel_bound
    if unbound:
        raise AuthoringError(f"the checks read {', '.join(sorted(unbound))}, which the cell's own "
                             "code does not compute (compute it in the cell, or in the checks)")
    return TestCell(kernel_code, check_code, tuple(sorted(wanted)), frozenset(check_reads))


def is_test_cell(cell):
    """An nbgrader test cell: graded, not a solution cell, code."""
    meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")
