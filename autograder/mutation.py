"""One-change mutants of a reference solution, inside its solution blocks only.

The given code is the same in every student's file, so only the code between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` of a graded function is mutated. Each
operator proposes replacements for one AST node; the replacement is spliced into the
source text at the node's position (parenthesised only when the grammar needs it, which
is verified by parsing the result), so a mutant is the reference with one visible change
and its diff is one or two lines. Mutants that parse to the same tree are kept once.

Why not a mutation library: mutmut 3 compiles every mutant into one trampolined module
that imports mutmut at run time and picks a mutant by environment variable; the sandbox
loads a submission's definitions only and could not run it, and mutmut has no call that
returns one mutant's source. Cosmic Ray 8 has one (``mutate_code``) and parso-based
operators, but only generic ones: on mnist_mlp's solution blocks it makes 194 mutants, 110
of them every-operator swaps such as ``@`` -> ``>>`` that die on a TypeError at a training
run's cost each, and none of the faults students make in NumPy (a wrong axis, a dropped
keepdims or transpose, a dropped term, swapped arguments, a wrong element returned).
Mutatest's last release was in 2022. So this is a small ``ast`` operator set, chosen for
those faults, with one or two replacements per site.

A mutant's id is ``<function>-<operator>-<hash>``, the hash of the function, the
operator and the source lines before and after the change: an edit elsewhere in the file
does not change it, so a committed list of equivalent mutants does not rot.
"""
import ast
import copy
import difflib
import hashlib
from dataclasses import dataclass

from .solution import BEGIN, END

FUNCTION_SWAPS = {"sum": "mean", "mean": "sum", "max": "min", "min": "max", "argmax": "argmin", "argmin": "argmax",
                   "amax": "amin", "amin": "amax",
                   "maximum": "minimum", "minimum": "maximum"}
ARITHMETIC = {ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.Div], ast.Div: [ast.Mult],
              ast.FloorDiv: [ast.Div], ast.Pow: [ast.Mult], ast.MatMult: [ast.Mult], ast.Mod: [ast.FloorDiv]}
# The boundary (> to >=) and the negation (> to <=) of each comparison.
COMPARISON = {ast.Gt: [ast.GtE, ast.LtE], ast.GtE: [ast.Gt, ast.Lt], ast.Lt: [ast.LtE, ast.GtE],
              ast.LtE: [ast.Lt, ast.Gt], ast.Eq: [ast.NotEq], ast.NotEq: [ast.Eq], ast.Is: [ast.IsNot],
              ast.IsNot: [ast.Is], ast.In: [ast.NotIn], ast.NotIn: [ast.In]}
AXES = {0: [1, None], 1: [0, None], -1: [0, 1, None]}  # None: the axis keyword dropped


@dataclass
class Mutant:
    id: str
    function: str
    operator: str
    line: int  # in the reference, 1-based
    change: str  # "before -> after", one line
    source: str  # the whole mutated file
    diff: str  # unified diff against the reference


def solution_regions(source, graded):
    """{function: [(first, last)]}: the 1-based line ranges strictly inside solution blocks."""
    tree = ast.parse(source)
    spans = {node.name: (node.lineno, node.end_lineno) for node in tree.body
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in graded}
    regions, begin = {}, None
    for number, line in enumerate(source.splitlines(), 1):
        if line.strip() == BEGIN:
            begin = number
        elif line.strip() == END and begin is not None:
            owner = next((f for f, (a, b) in spans.items() if a < begin <= b), None)
            if owner:
                regions.setdefault(owner, []).append((begin + 1, number - 1))
            begin = None
    return regions


# -- operators: each maps a node to [(replacement, short name of the change)] -------------------
def _with(node, **fields):
    new = copy.deepcopy(node)
    for name, value in fields.items():
        setattr(new, name, value)
    return new


def arithmetic(node, ctx):
    if isinstance(node, (ast.BinOp, ast.AugAssign)):
        return [_with(node, op=op()) for op in ARITHMETIC.get(type(node.op), [])]
    return []


def comparison(node, ctx):
    if isinstance(node, ast.Compare):
        return [_with(node, ops=node.ops[:i] + [op()] + node.ops[i + 1:])
                for i, old in enumerate(node.ops) for op in COMPARISON.get(type(old), [])]
    return []


def unary(node, ctx):
    """A dropped minus or ``not``; ``and`` for ``or`` and back."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        return [copy.deepcopy(node.operand)]
    if isinstance(node, ast.BoolOp):
        return [_with(node, op=ast.Or() if isinstance(node.op, ast.And) else ast.And())]
    return []


def constant(node, ctx):
    """0 <-> 1 and off by one for integers; a float dropped to 0 (an epsilon left out) or raised by 1."""
    if not isinstance(node, ast.Constant) or id(node) in ctx.keyword_values:
        return []
    value = node.value
    if isinstance(value, bool):
        return [ast.Constant(not value)]
    if isinstance(value, int):
        return [ast.Constant(v) for v in (value + 1, value - 1)]
    if isinstance(value, float):
        return [ast.Constant(v) for v in ((1.0,) if value == 0 else (0.0, value + 1.0))]
    return []


def axis(node, ctx):
    """``axis=k`` to another axis or dropped; ``keepdims=True`` dropped."""
    if not isinstance(node, ast.Call):
        return []
    out = []
    for i, kw in enumerate(node.keywords):
        rest = node.keywords[:i] + node.keywords[i + 1:]
        if kw.arg == "axis" and _literal(kw.value) in AXES:
            out += [_with(node, keywords=rest if new is None else
                          rest[:i] + [ast.keyword("axis", ast.Constant(new))] + rest[i:])
                    for new in AXES[_literal(kw.value)]]
        elif kw.arg == "keepdims" and _literal(kw.value) is True:
            out.append(_with(node, keywords=rest))
    return out


def _literal(node):
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return "not a literal"
    return value if isinstance(value, (int, type(None))) else "not a literal"


def transpose(node, ctx):
    """``.T`` dropped; ``.T`` added to an operand of ``@``."""
    if isinstance(node, ast.Attribute) and node.attr == "T":
        return [copy.deepcopy(node.value)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        return [_with(node, **{side: ast.Attribute(copy.deepcopy(operand), "T", ast.Load())})
                for side, operand in (("left", node.left), ("right", node.right))
                if not (isinstance(operand, ast.Attribute) and operand.attr == "T")]
    return []


def drop_term(node, ctx):
    """A term, factor or divisor left out: ``a + b`` to ``a`` or ``b``, ``a / n`` to ``a``."""
    if isinstance(node, ast.BinOp):
        keep = {ast.Add: ("left", "right"), ast.Sub: ("left",), ast.Mult: ("left", "right"),
                ast.Div: ("left",)}.get(type(node.op), ())
        return [copy.deepcopy(getattr(node, side)) for side in keep]
    return []


def drop_statement(node, ctx):
    """A statement of the solution left out (``pass`` in its place); never the return."""
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.If, ast.For, ast.While)) \
            and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
        return [ast.Pass()]
    return []


def negate_condition(node, ctx):
    if isinstance(node, (ast.If, ast.IfExp, ast.While)):
        return [_with(node, test=ast.UnaryOp(ast.Not(), copy.deepcopy(node.test)))]
    return []


def forgotten_call(node, ctx):
    """A call left out: ``np.exp(x)`` to ``x``, ``t.reshape(1, -1)`` to ``t``."""
    if not isinstance(node, ast.Call) or id(node) in ctx.statement_calls:
        return []
    func = node.func
    if isinstance(func, ast.Attribute) and not (isinstance(func.value, ast.Name) and func.value.id in ctx.modules):
        return [copy.deepcopy(func.value)]  # a method: the object it was called on
    return [copy.deepcopy(node.args[0])] if node.args and not isinstance(node.args[0], ast.Starred) else []


def other_function(node, ctx):
    """``np.sum`` <-> ``np.mean``, ``max`` <-> ``min``, ``argmax`` <-> ``argmin``, ``maximum`` <-> ``minimum``."""
    if not isinstance(node, ast.Call):
        return []
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in FUNCTION_SWAPS:
        return [_with(node, func=_with(func, attr=FUNCTION_SWAPS[func.attr]))]
    if isinstance(func, ast.Name) and func.id in ("max", "min"):
        return [_with(node, func=ast.Name(FUNCTION_SWAPS[func.id], ast.Load()))]
    return []


def swap(node, ctx):
    """Neighbouring arguments, unpacked names or returned values swapped; operands of ``-``, ``/``, ``@`` swapped."""
    def neighbours(items):
        return [items[:i] + [items[i + 1], items[i]] + items[i + 2:] for i in range(len(items) - 1)
                if ast.dump(items[i]) != ast.dump(items[i + 1])]
    if isinstance(node, ast.Call) and not any(isinstance(a, ast.Starred) for a in node.args):
        return [_with(node, args=args) for args in neighbours(copy.deepcopy(node.args))]
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Sub, ast.Div, ast.MatMult, ast.Pow)):
        return [_with(node, left=copy.deepcopy(node.right), right=copy.deepcopy(node.left))]
    if isinstance(node, ast.Tuple) and id(node) in ctx.swappable_tuples:
        return [_with(node, elts=elts) for elts in neighbours(copy.deepcopy(node.elts))]
    return []


def wrong_return(node, ctx):
    """``return x`` to another name the function assigned before."""
    if isinstance(node, ast.Return) and isinstance(node.value, ast.Name):
        return [ast.Return(ast.Name(name, ast.Load())) for name, line in sorted(ctx.assigned.items())
                if name != node.value.id and line < node.lineno]
    return []


def off_by_one(node, ctx):
    """Slice bounds moved by one, ``:`` to ``1:`` or ``:-1``, and ``range``/``arange`` of n +- 1."""
    if isinstance(node, ast.Slice) and node.step is None:
        if node.lower is None and node.upper is None:
            return [ast.Slice(ast.Constant(1), None), ast.Slice(None, ast.Constant(-1))]
        return [_with(node, **{side: ast.BinOp(copy.deepcopy(bound), op(), ast.Constant(1))})
                for side in ("lower", "upper") for bound in [getattr(node, side)] if bound is not None
                and not isinstance(bound, ast.Constant) for op in (ast.Add, ast.Sub)]
    if isinstance(node, ast.Call) and len(node.args) == 1 and not isinstance(node.args[0], ast.Constant) \
            and (getattr(node.func, "attr", None) or getattr(node.func, "id", None)) in ("range", "arange"):
        return [_with(node, args=[ast.BinOp(copy.deepcopy(node.args[0]), op(), ast.Constant(1))])
                for op in (ast.Add, ast.Sub)]
    return []


OPERATORS = {"arithmetic": arithmetic, "comparison": comparison, "unary": unary, "constant": constant,
             "axis": axis, "transpose": transpose, "drop_term": drop_term, "drop_statement": drop_statement,
             "negate_condition": negate_condition, "forgotten_call": forgotten_call,
             "other_function": other_function, "swap": swap, "wrong_return": wrong_return,
             "off_by_one": off_by_one}


class _Context:
    """What operators need to know about the module and the function around a node."""

    def __init__(self, tree):
        self.modules = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                        for alias in node.names}
        self.keyword_values = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.Call)
                               for kw in node.keywords if kw.arg in ("axis", "keepdims")
                               for inner in ast.walk(kw.value)}
        self.statement_calls = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
        self.swappable_tuples = {id(t) for node in ast.walk(tree) for t in _unpacked_or_returned(node)}
        self.assigned = {}  # in the function being mutated: name -> the line it is first assigned on

    def enter(self, function):
        self.assigned = {}
        for node in ast.walk(function):
            for target in getattr(node, "targets", []):
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store):
                        self.assigned[name.id] = min(self.assigned.get(name.id, node.lineno), node.lineno)


def _unpacked_or_returned(node):
    if isinstance(node, ast.Assign):
        return [t for t in node.targets if isinstance(t, ast.Tuple)]
    if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
        return [node.value]
    return []


def _inside(node, ranges):
    return any(first <= node.lineno and node.end_lineno <= last for first, last in ranges)


def _splice(lines, node, text):
    """``lines`` (with line ends) with the source of ``node`` replaced by ``text``."""
    first, last = node.lineno - 1, node.end_lineno - 1
    start = len(lines[first].encode()[:node.col_offset].decode())
    end = len(lines[last].encode()[:node.end_col_offset].decode())
    return lines[:first] + [lines[first][:start] + text + lines[last][end:]] + lines[last + 1:]


def canonical(tree):
    """The tree as the parser makes it from its own unparsed text (``Constant(-1)`` is ``-1``)."""
    return ast.dump(ast.parse(ast.unparse(tree)))


def _replace(function, node, replacement):
    """A copy of ``function`` (a def) with ``node`` replaced by ``replacement``."""
    index = next(i for i, n in enumerate(ast.walk(function)) if n is node)
    new = copy.deepcopy(function)
    target = list(ast.walk(new))[index]

    class Swap(ast.NodeTransformer):
        def visit(self, visited):
            return replacement if visited is target else self.generic_visit(visited)
    return ast.fix_missing_locations(Swap().visit(new))


def _mutated_text(lines, node, replacement, name, expected):
    """The spliced source, with parentheses only if the change needs them to mean ``expected``."""
    text = ast.unparse(replacement)
    for candidate in (text, f"({text})"):
        spliced = "".join(_splice(lines, node, candidate))
        try:
            tree = ast.parse(spliced)
        except SyntaxError:
            continue
        if canonical(next(n for n in tree.body if getattr(n, "name", None) == name)) == expected:
            return spliced
    return None


def _short(text, width=70):
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


def mutants(source, graded, path="reference.py"):
    """Every distinct one-change mutant of ``source`` inside the solution blocks of ``graded``."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    regions = solution_regions(source, graded)
    ctx = _Context(tree)
    functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    found, ids = [], set()
    for name in (f for f in graded if f in regions):
        function = functions[name]
        ctx.enter(function)
        seen = {canonical(function)}  # a change that parses to a tree already made is made once
        candidates = sorted((n for n in ast.walk(function) if hasattr(n, "end_lineno")
                             and _inside(n, regions[name])), key=lambda n: (n.lineno, n.col_offset))
        for node in candidates:
            for operator_name, operator in OPERATORS.items():
                for replacement in operator(node, ctx):
                    expected = canonical(_replace(function, node, replacement))
                    if expected in seen:
                        continue
                    mutated = _mutated_text(lines, node, replacement, name, expected)
                    if mutated is None:
                        continue
                    seen.add(expected)
                    mutant = _mutant(source, lines, node, replacement, mutated, name, operator_name, path)
                    while mutant.id in ids:  # the same change on two identical lines
                        mutant.id += "x"
                    ids.add(mutant.id)
                    found.append(mutant)
    return found


def _mutant(source, lines, node, replacement, mutated, function, operator, path):
    before = "".join(lines[node.lineno - 1:node.end_lineno])
    after_lines = mutated.splitlines(keepends=True)
    after = "".join(after_lines[node.lineno - 1:node.end_lineno + len(after_lines) - len(lines)])
    digest = hashlib.sha256("\n".join([function, operator, " ".join(before.split()), " ".join(after.split())])
                            .encode()).hexdigest()[:8]
    diff = "".join(difflib.unified_diff(lines, after_lines, f"a/{path}", f"b/{path}", n=1))
    change = f"{_short(ast.get_source_segment(source, node) or '')}  ->  {_short(ast.unparse(replacement))}"
    return Mutant(f"{function}-{operator}-{digest}", function, operator, node.lineno, change, mutated, diff)
