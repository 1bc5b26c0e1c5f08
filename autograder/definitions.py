"""Keep only the definitions of a submission: what grading needs, nothing slow.

Students' files and notebooks train networks, plot curves and load data at top
level. The grader needs none of that, so it runs just the statements that
define things: imports, functions, classes, and assignments whose right-hand
side calls nothing but imported modules and a few builtins (``EPS = 1e-7``,
``rng = np.random.default_rng(0)``). ``if``/``try`` blocks are kept when all
they hold is kept. Everything else is reported as skipped, never run.
"""
import ast
from dataclasses import dataclass

from .i18n import _

SAFE_BUILTINS = {"abs", "bool", "complex", "dict", "float", "frozenset", "int", "len", "list",
                 "max", "min", "pow", "range", "round", "set", "str", "tuple", "zip", "enumerate",
                 "print", "object", "property", "staticmethod", "classmethod", "sorted", "reversed"}


@dataclass
class Statement:
    label: str
    line: int  # 1-based line in the student's cell or file
    source: str


def _imported_names(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
    return names


def _root_name(func):
    while isinstance(func, (ast.Attribute, ast.Call, ast.Subscript)):
        func = func.func if isinstance(func, ast.Call) else func.value
    return func.id if isinstance(func, ast.Name) else None


def _calls_only(expr, allowed):
    """True if evaluating ``expr`` calls nothing outside ``allowed`` names."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Lambda):
            continue  # its body runs later, when called
        if isinstance(node, ast.Call) and _root_name(node.func) not in allowed:
            return False
        stack.extend(ast.iter_child_nodes(node))
    return True


def _is_definition(node, allowed):
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                         ast.ClassDef)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return node.value is None or _calls_only(node.value, allowed)
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True  # docstrings
    if isinstance(node, (ast.If, ast.Try)):
        tests = [node.test] if isinstance(node, ast.If) else [h.type for h in node.handlers if h.type]
        bodies = node.body + node.orelse + getattr(node, "finalbody", [])
        bodies += [s for h in getattr(node, "handlers", []) for s in h.body]
        return (all(_calls_only(t, allowed) for t in tests)
                and all(_is_definition(s, allowed) or isinstance(s, ast.Pass) for s in bodies))
    return False


def select(chunks):
    """(statements to run, notes about what was skipped) for a list of chunks."""
    statements, notes = [], []
    trees = []
    for chunk in chunks:
        try:
            trees.append((chunk, ast.parse(chunk.source)))
        except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
            line = getattr(err, "lineno", None) or 1
            notes.append(_("{where}, line {line}: {error}; nothing defined in this part of your code could be graded"
                           ).format(where=chunk.label, line=chunk.first_line + line - 1,
                                    error=f"{type(err).__name__}: {getattr(err, 'msg', err)}"))
            trees.append((chunk, None))
    allowed = SAFE_BUILTINS.union(*(_imported_names(t) for _chunk, t in trees if t))
    for chunk, tree in trees:
        if tree is None:
            continue
        lines = chunk.source.splitlines()
        body = tree.body
        crowded = {id(n) for a, b in zip(body, body[1:]) if b.lineno == a.end_lineno for n in (a, b)}
        # `import x; x.download()` shares the import's line, not its licence to run.
        import_lines = {line for n in body if isinstance(n, (ast.Import, ast.ImportFrom))
                        for line in range(n.lineno, n.end_lineno + 1)}
        skipped = []
        for node in body:
            first = node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno
            line = chunk.first_line + first - 1
            beside_import = node.lineno in import_lines and not isinstance(node, (ast.Import, ast.ImportFrom))
            if beside_import or not _is_definition(node, allowed):
                skipped.append(line)
                continue
            alone = node.col_offset == 0 and id(node) not in crowded
            # Exact text keeps the student's line numbers in tracebacks; `a = 1; b = 2`
            # shares a line, so each half is rebuilt from the tree instead.
            text = "\n".join(lines[first - 1:node.end_lineno]) if alone else ast.unparse(node)
            statements.append(Statement(chunk.label, line, text))
        if skipped:
            lines = ", ".join(map(str, skipped[:8])) + (", ..." if len(skipped) > 8 else "")
            notes.append((_("{where}, line {lines}: not run (the grader runs only imports, definitions and simple "
                            "constants)") if len(skipped) == 1 else
                          _("{where}, lines {lines}: not run (the grader runs only imports, definitions and simple "
                            "constants)")).format(where=chunk.label, lines=lines))
    return statements, notes


def _functions(sources):
    """Every top-level function definition in ``sources`` (read with ast, never run)."""
    for source in sources:
        try:
            body = ast.parse(source).body
        except SyntaxError:
            continue
        yield from (n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))


def defined_names(sources):
    """Top-level function and class names in ``sources``."""
    return {node.name for node in _functions(sources)}


def called_by(sources, name):
    """The top-level functions that ``name`` uses, directly or through another of them."""
    uses = {node.name: {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} for node in _functions(sources)}
    found, todo = set(), [name]
    while todo:
        for used in uses.get(todo.pop(), ()):
            if used in uses and used not in found and used != name:
                found.add(used)
                todo.append(used)
    return found
