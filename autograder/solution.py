"""The instructor's source file: nbgrader's solution markers, hints, and its cells.

``solutions/<id>/<module>.py`` is the reference in jupytext's percent format, with
``### BEGIN SOLUTION`` / ``### END SOLUTION`` around each solution and a ``# hint: ...``
line above it. The release (release.py), the nbgrader source notebook (nbgrader/source.py)
and nbgrader's ClearSolutions step (nbgrader/preprocessors.py) all read it through this
module, the one implementation of the convention.
"""
import re

import jupytext

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
HINT = re.compile(r"^\s*# hint: (.*)$")


class ReleaseError(Exception):
    pass


def strip_solutions(source):
    """Replace each solution block by a stub that raises NotImplementedError with its hint."""
    out, inside, hint = [], False, None
    for number, line in enumerate(source.splitlines(), 1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ReleaseError(f"line {number}: {BEGIN} inside another solution block")
            inside = True
            indent = line[:len(line) - len(line.lstrip())]
            message = '("' + hint.replace("\\", "\\\\").replace('"', '\\"') + '")' if hint else "()"
            out += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError{message}"]
            hint = None
            continue
        if stripped == END:
            if not inside:
                raise ReleaseError(f"line {number}: {END} without {BEGIN}")
            inside = False
            continue
        if inside:
            continue
        match = HINT.match(line)
        if match:
            hint = match.group(1)
            continue  # the hint moves into the stub's message
        out.append(line)
    if inside:
        raise ReleaseError(f"{BEGIN} is never closed")
    return "\n".join(out) + "\n"


def solution_lines(source):
    """The lines only the instructor may see (for leak checks)."""
    lines, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped in (BEGIN, HIDDEN_BEGIN):
            inside = True
        elif stripped in (END, HIDDEN_END):
            inside = False
        elif inside and stripped and not stripped.startswith("#"):
            lines.append(stripped)
    return lines


def solved_functions(source):
    """Names of the functions that hold a solution block, in order."""
    names, current = [], None
    for line in source.splitlines():
        match = re.match(r"def (\w+)", line)
        current = match.group(1) if match else current
        if line.strip() == BEGIN and current:
            names.append(current)
    return names


def notebook(source, solved):
    """``source`` as a notebook; solution cells carry nbgrader's schema-3 metadata.

    ``solved(index)`` names the functions a cell's solution blocks belong to. The
    nbgrader source notebook starts from this (nbgrader/source.py).
    """
    nb = jupytext.reads(source, fmt="py:percent")
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:02d}"  # stable ids keep the generated file reproducible
        cell.metadata = {}
        names = solved(index) if cell.cell_type == "code" else []
        if names:
            cell.metadata["nbgrader"] = {"grade": False, "grade_id": "-".join(names),
                                         "locked": False, "schema_version": 3, "solution": True, "task": False}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb
