"""nbgrader preprocessors for the kit; nbgrader_config.py puts them in nbgrader's pipelines.

- ``ClearSolutionsWithHints`` (generate_assignment): nbgrader's ClearSolutions, but a
  ``# hint: ...`` line above ``### BEGIN SOLUTION`` becomes the message of the stub's
  ``NotImplementedError``, through autograder/solution.py's ``strip_solutions``: the one
  implementation of the convention, shared with the .py release.
- ``GradeInSandbox`` (autograde, in place of nbgrader's ``Execute``): no kernel runs the
  student's notebook. The kit grades a copy of it exactly as ``grade`` does, student code
  confined in the sandbox (single.py), and writes what each kit test cell would have
  printed and returned: that function's checks (hidden ones as "hidden check N") and its
  points. nbgrader's own steps after it (scores, gradebook, formgrader, feedback) see
  an executed notebook. Student code never runs in nbgrader's process or with its files
  (the gradebook, ``source/``, the other students' folders) in reach.
- ``ScoreCheckCells`` (autograde): a kit test cell is worth the number it returns (the
  points its checks earned), and nothing else decides: stderr output (a warning, a
  debugging print) does not zero it, a forged earlier result does not count, and a cell
  that returns no valid score gets 0 instead of nbgrader's default of full marks.

Only nbgrader imports this module; students never need it.
"""
import ast
import tempfile
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearSolutions, NbGraderPreprocessor
from traitlets import Bool, Unicode

from .. import i18n, single, solution
from ..i18n import _
from ..sandbox import jail

CHECK_CALL = "nbgrader_checks.run("


class ClearSolutionsWithHints(ClearSolutions):
    def _replace_solution_region(self, cell, language):
        if cell.cell_type != "code" or language != "python":
            return super()._replace_solution_region(cell, language)
        lines = cell.source.split("\n")
        marked = [l.strip() for l in lines if self.begin_solution_delimeter in l or self.end_solution_delimeter in l]
        if not marked:
            return False
        if any(m not in (solution.BEGIN, solution.END) for m in marked):
            raise RuntimeError(f"write solution markers exactly as {solution.BEGIN!r} and {solution.END!r} "
                               f"on lines of their own; found {marked!r}")
        try:
            stripped = solution.strip_solutions(cell.source)
        except solution.ReleaseError as err:
            raise RuntimeError(str(err)) from None
        cell.source = stripped if cell.source.endswith("\n") else stripped[:-1]
        return True


def _text(output):
    text = output.get("data", {}).get("text/plain", "")
    return "".join(text) if isinstance(text, list) else str(text)


class ScoreCheckCells(NbGraderPreprocessor):
    call = Unicode(CHECK_CALL, help="Test cells whose source contains this are the kit's").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if not (cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)
                and self.call in cell.source):
            return cell, resources
        results = [o for o in cell.outputs if o.output_type == "execute_result"]
        errors = [o for o in cell.outputs if o.output_type == "error"]
        points = float(cell.metadata["nbgrader"]["points"])
        problem = None
        if not errors:
            try:
                score = float(_text(results[-1])) if results else None
            except ValueError:
                score = float("nan")
            if score is None:
                problem = "the test cell returned no score"
            elif not 0 <= score <= points:
                problem = f"the test cell returned {_text(results[-1])[:50]!r}, not a score from 0 to {points:g}"
        # nbgrader scores by the first result or error it meets: keep only the cell's own
        # (last) result, and none at all if the cell failed.
        keep = results[-1:] if not (errors or problem) else []
        outputs = []
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stderr":
                output.name = "stdout"  # the score says what passed; output is not a failure
            if output.output_type != "execute_result" or any(output is k for k in keep):
                outputs.append(output)
        if problem:
            self.log.warning("%s: %s; it gets 0 points", cell.metadata["nbgrader"]["grade_id"], problem)
            outputs.append(NotebookNode(output_type="error", ename="CheckCellError", evalue=problem,
                                        traceback=[f"CheckCellError: {problem}"]))
        cell.outputs = outputs
        return cell, resources


def check_call(cell):
    """(assignment id, function) of the kit call in a test cell's source, or None."""
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "run"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "nbgrader_checks"
                and len(node.args) >= 2 and all(isinstance(a, ast.Constant) for a in node.args[:2])):
            return node.args[0].value, node.args[1].value
    return None


def _stream(text):
    return NotebookNode(output_type="stream", name="stdout", text=text + "\n")


def _error(name, message):
    return NotebookNode(output_type="error", ename=name, evalue=message, traceback=[f"{name}: {message}"])


def _score(points):
    return NotebookNode(output_type="execute_result", execution_count=None, metadata={},
                        data={"text/plain": repr(float(points))})


def function_report(results, function):
    """What a kit test cell prints in autograde: the function's checks from results.json, hidden
    ones by number only, then its points."""
    tests = [t for t in results["tests"] if t.get("tags") == [function]]
    lines, hidden = [], 0
    for test in tests:
        if test.get("visibility") == "visible":
            mark = _("PASS") if test["status"] == "passed" else _("FAIL")
            title = test["name"].removeprefix(f"{function}: ")
            lines.append(f"  {mark}  {title} ({test['score']:g}/{test['max_score']:g})")
            if test.get("output"):
                lines.append("        " + test["output"].replace("\n", "\n        "))
        else:
            hidden += 1
            lines.append((_("  hidden check {number}: passed ({got:g}/{most:g})") if test["status"] == "passed" else
                          _("  hidden check {number}: failed ({got:g}/{most:g})")).format(
                number=hidden, got=test["score"], most=test["max_score"]))
    total = sum(t["score"] for t in tests)
    lines.append(_("{function}: {total:g} points in all (the number below, which nbgrader records)").format(
        function=function, total=total))
    return "\n".join(lines), total


class GradeInSandbox(NbGraderPreprocessor):
    unconfined = Bool(False, help="Grade even where student code cannot be confined (the basic level), "
                                  "knowingly: like `grade --unconfined`").tag(config=True)

    def preprocess(self, nb, resources):
        kit = {index: call for index, cell in enumerate(nb.cells)
               if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)
               and (call := check_call(cell))}
        for index, cell in enumerate(nb.cells):  # an instructor's own test cell would need a kernel
            if (cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)
                    and index not in kit):
                cell.outputs = [_error("NotRun", _("not run: in autograde only the kit's test cells are "
                                                  "graded, with the student's code in the sandbox"))]
        if not kit:
            return nb, resources
        (assignment_id,) = {a for a, _f in kit.values()}
        from .checks import find_assignment
        assignment = find_assignment(assignment_id)
        i18n.choose(assignment)
        level = jail.level()
        self.log.info("student code is confined at the %s level", jail.describe(level))
        if level == "basic" and not self.unconfined:
            raise RuntimeError(f"refusing to autograde: {jail.UNCONFINED_RISK} {jail.HOW_TO_CONFINE} To grade "
                               "anyway, knowingly, set c.GradeInSandbox.unconfined = True.")
        student = resources["nbgrader"]["student"]
        with tempfile.TemporaryDirectory(prefix="nbgrader-copy-") as tmp:
            copy = Path(tmp) / f"{assignment.module}.ipynb"
            nbformat.write(nb, copy)
            results = single.grade(assignment, copy, student)
        status = results["extra_data"]["status"]
        for number, (index, (_a, function)) in enumerate(sorted(kit.items())):
            cell = nb.cells[index]
            text, points = function_report(results, function)
            cell.outputs = [_stream(results["output"])] if number == 0 else []
            if status.startswith(("graded", "unreadable")):
                cell.outputs += [_stream(text), _score(points)]
            else:  # the grade failed: every test cell says so, and earns nothing
                self.log.error("%s: %s", student, status)
                cell.outputs.append(_error("GradingError", status))
        return nb, resources
