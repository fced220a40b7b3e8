"""Read a submission's code for attempts to change how it is graded.

Honest EM code computes with numpy; it does not reassign numpy's functions, rebind the
names the tests use, reach into the interpreter (frames, ``gc``, ``ctypes``, IPython's
input transformers), write files or stop processes. ``findings(code, protected)`` lists
each such construct in one cell's code, in words. It reads the code and never runs it.

The runtime guards (``em_grading.restore``, the cells rebuilt from the gradebook, the
memory and time limits) already neutralise the common tricks; these findings are for
what code in the same process could still do. ``grading/steps/review.py`` holds the points of
the test cells after a flagged cell for the instructor's review instead of awarding them.
"""
import ast
import symtable

from IPython.core.inputtransformer2 import TransformerManager

# Modules whose only use in a submission would be to reach the grader or the process.
FORBIDDEN_MODULES = {"builtins", "ctypes", "gc", "importlib", "inspect", "signal", "subprocess",
                     "multiprocessing", "threading", "socket", "shutil", "pickle", "marshal",
                     "types", "sysconfig", "site", "atexit", "pty", "resource"}
FORBIDDEN_CALLS = {"setattr", "delattr", "exec", "eval", "compile", "__import__", "globals",
                   "vars", "locals", "exit", "quit", "breakpoint", "get_ipython"}
# os.X and sys.X that stop processes, run commands, change files or reach the interpreter
PROCESS_ATTRIBUTES = {
    "_exit": "exits the process", "kill": "sends a signal", "killpg": "sends a signal",
    "abort": "aborts the process", "system": "runs a shell command",
    "popen": "runs a shell command", "remove": "deletes a file", "unlink": "deletes a file",
    "rename": "moves a file", "replace": "moves a file", "rmdir": "deletes a folder",
    "chmod": "changes permissions", "fork": "starts a process", "execv": "replaces the process",
    "exit": "exits", "modules": "reaches loaded modules", "_getframe": "reaches the caller's frame",
    "settrace": "traces execution", "setprofile": "traces execution",
    "meta_path": "changes imports", "path_hooks": "changes imports",
}
PROCESS_ROOTS = {"os", "sys", "posix"}
# attributes flagged on any object: they reach functions' code, frames and namespaces
INTERNAL_ATTRIBUTES = {
    "__globals__": "reaches a function's globals", "__code__": "rewrites a function",
    "__builtins__": "reaches the builtins", "__dict__": "reaches an object's namespace",
    "__subclasses__": "walks the class tree", "__class__": "walks the class tree",
    "f_globals": "reaches a frame", "f_locals": "reaches a frame", "f_back": "reaches a frame",
    "tb_frame": "reaches a frame", "gi_frame": "reaches a frame",
}
# IPython magics that only time or display things; any other magic is flagged.
HARMLESS_MAGICS = {"time", "timeit", "matplotlib", "prun"}
# Roots whose attributes may be set: plotting style (plt.rcParams is a subscript anyway).
MUTABLE_ROOTS = {"plt", "matplotlib", "mpl"}
WRITE_MODES = set("wax+")


def to_python(code):
    """The cell as Python, with IPython's magics turned into calls; None if it cannot parse."""
    try:
        return ast.parse(TransformerManager().transform_cell(code))
    except (SyntaxError, ValueError, IndentationError):
        return None  # a cell that does not parse only raises when it runs


def imports_of(tree):
    """{name bound by an import: what it is bound to} in ``tree``."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    bound[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def imports_in(code):
    tree = to_python(code)
    return {} if tree is None else imports_of(tree)


def root_name(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


class SuspiciousCodeVisitor(ast.NodeVisitor):
    def __init__(self, protected, release_imports):
        self.protected, self.release_imports = protected, release_imports
        self.found, self.globals_declared, self.depth = [], set(), 0
        self.local_imports = {}

    def flag(self, node, what):
        self.found.append(f"line {getattr(node, 'lineno', '?')}: {what}")

    # -- names the tests use -------------------------------------------------------------
    def visit_FunctionDef(self, node):
        self.binds(node, node.name)
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self.binds(node, node.name)
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_Lambda(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_Global(self, node):
        self.globals_declared.update(node.names)

    def binds(self, node, name):
        at_top = self.depth == 0 or name in self.globals_declared
        if at_top and name in self.protected:
            self.flag(node, f"rebinds `{name}`, which the tests use")

    def visit_Name(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.binds(node, node.id)
        if node.id == "__builtins__":
            self.flag(node, "reaches the builtins")

    def visit_Import(self, node):
        self.check_imports(node)

    def visit_ImportFrom(self, node):
        self.check_imports(node)

    def check_imports(self, node):
        for name, target in imports_of(ast.Module(body=[node], type_ignores=[])).items():
            top = target.split(".")[0]
            if top in FORBIDDEN_MODULES:
                self.flag(node, f"imports {target}")
            elif top in PROCESS_ROOTS and target.split(".")[-1] in PROCESS_ATTRIBUTES:
                self.flag(node, f"imports {target} ({PROCESS_ATTRIBUTES[target.split('.')[-1]]})")
            if name in self.protected and self.release_imports.get(name) != target:
                self.flag(node, f"rebinds `{name}` (to {target}), which the tests use")

    # -- changing modules and objects ----------------------------------------------------
    def visit_Attribute(self, node):
        root = root_name(node)
        if node.attr in INTERNAL_ATTRIBUTES:
            self.flag(node, f"uses .{node.attr} ({INTERNAL_ATTRIBUTES[node.attr]})")
        elif node.attr in PROCESS_ATTRIBUTES and self.imported_as(root) in PROCESS_ROOTS:
            self.flag(node, f"uses {ast.unparse(node)} ({PROCESS_ATTRIBUTES[node.attr]})")
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            if root not in MUTABLE_ROOTS and (root in self.protected or root in self.release_imports
                                              or root in self.local_imports):
                self.flag(node, f"assigns to {ast.unparse(node)}")
        self.generic_visit(node)

    def imported_as(self, name):
        return (self.local_imports.get(name) or self.release_imports.get(name) or name or "").split(".")[0]

    def visit_Call(self, node):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name == "get_ipython" or (isinstance(node.func, ast.Attribute) and
                                     root_name(node.func) == "get_ipython"):
            if not self.harmless_magic(node):
                self.flag(node, "uses IPython's internals (get_ipython or a magic)")
            return  # the inner get_ipython() call is part of the same magic
        if name in FORBIDDEN_CALLS:
            self.flag(node, f"calls {name}()")
        if name == "open" and self.writes(node):
            self.flag(node, "opens a file for writing")
        self.generic_visit(node)

    @staticmethod
    def harmless_magic(node):
        func = node.func
        return (isinstance(func, ast.Attribute) and func.attr in ("run_line_magic", "run_cell_magic")
                and node.args and isinstance(node.args[0], ast.Constant)
                and node.args[0].value in HARMLESS_MAGICS)

    @staticmethod
    def writes(node):
        mode = node.args[1] if len(node.args) > 1 else next(
            (k.value for k in node.keywords if k.arg == "mode"), None)
        if mode is None:
            return False
        if not isinstance(mode, ast.Constant) or not isinstance(mode.value, str):
            return True  # a computed mode: assume the worst
        return bool(WRITE_MODES & set(mode.value))


def findings(code, protected=frozenset(), release_imports=None):
    """What in ``code`` could change grading, as a list of short sentences."""
    tree = to_python(code)
    if tree is None:
        return []
    finder = SuspiciousCodeVisitor(set(protected), dict(release_imports or {}))
    finder.local_imports = imports_of(tree)
    finder.visit(tree)
    return finder.found


def names_bound(code):
    """Names a cell binds at its top level (assignments, defs, imports, loop targets)."""
    tree = to_python(code)
    if tree is None:
        return set()
    bound = set(imports_of(tree))
    for node in tree.body:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                bound.add(sub.id)
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
    return bound


def names_read(code):
    """Global names a cell reads, at its top level or inside its functions (not their locals)."""
    tree = to_python(code)
    if tree is None:
        return set()
    read, tables = set(), [symtable.symtable(ast.unparse(tree), "<cell>", "exec")]
    while tables:
        table = tables.pop()
        top = table.get_type() == "module"
        for symbol in table.get_symbols():
            if symbol.is_referenced() and (top or symbol.is_global()):
                read.add(symbol.get_name())
        tables.extend(table.get_children())
    return read
