"""nbgrader preprocessors for the kit; nbgrader_config.py puts them in nbgrader's pipelines.

- ``ClearSolutionsWithHints`` (generate_assignment): nbgrader's ClearSolutions, but a
  ``# hint: ...`` line above ``### BEGIN SOLUTION`` becomes the message of the stub's
  ``NotImplementedError``, through autograder/solution.py's ``strip_solutions``: the one
  implementation of the convention, shared with the .py release.
- ``ScoreCheckCells`` (autograde): a kit test cell is worth the number it returns (the
  points its checks earned), and nothing else decides: stderr output (a warning, a
  debugging print) does not zero it, a forged earlier result does not count, and a cell
  that returns no valid score gets 0 instead of nbgrader's default of full marks.

Only nbgrader imports this module; students never need it.
"""
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearSolutions, NbGraderPreprocessor
from traitlets import Unicode

from .. import solution

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
