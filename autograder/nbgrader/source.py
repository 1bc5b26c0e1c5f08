"""The kit as an nbgrader course: the instructor's source notebook and nbgrader's release of it.

Generated, never edited by hand, from the one source of truth:

- ``solutions/<id>/<module>.py`` (the reference, with solution markers and hints) gives the
  cells; cells holding a solution block become nbgrader solution cells;
- the ``@check(...)`` markers of the public and hidden test modules give the rubric: after
  the cell that defines each graded function comes one autograder test cell worth that
  function's points; functions with no cell of their own (``network``) are checked at the
  end. A test cell calls the engine's checks (``autograder.nbgrader.checks.run``); its
  hidden half sits between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``.

``build`` writes ``solutions/<id>/<module>.ipynb`` and then runs the real
``nbgrader generate_assignment`` on it, in a scratch course configured by the kit's
``nbgrader_config.py``; its output is ``assignments/<id>/<module>.ipynb``, byte for byte.
"""
import ast
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jupytext
import nbformat

from .. import solution
from ..i18n import _

HIDDEN_BEGIN, HIDDEN_END = solution.HIDDEN_BEGIN, solution.HIDDEN_END
CONFIG = "nbgrader_config.py"
IMPORT = "from autograder.nbgrader import checks as nbgrader_checks"  # what a test cell runs
SOURCE_DIRECTORY, RELEASE_DIRECTORY = "solutions", "release"  # as nbgrader_config.py sets them


def _literal(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise solution.ReleaseError(f"line {node.lineno}: @check(...) arguments must be literals") from None


def check_markers(path):
    """[(function, title, points, hidden)] of the ``@check(...)`` decorators in a test module."""
    markers = []
    for node in ast.walk(ast.parse(Path(path).read_text())):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for deco in node.decorator_list:
            func = deco.func if isinstance(deco, ast.Call) else None
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if name != "check":
                continue
            values = dict(zip(("function", "title", "points", "hidden"), map(_literal, deco.args)))
            values.update({k.arg: _literal(k.value) for k in deco.keywords})
            markers.append((values["function"], values["title"], float(values["points"]),
                            bool(values.get("hidden", False))))
    return markers


def rubric(assignment):
    """{function: {"public": points, "hidden": points}} in the order the checks first name them."""
    table = {}
    folders = [assignment.public_tests, assignment.hidden_tests]
    for path in (p for folder in folders for p in sorted(Path(folder).glob("test_*.py"))):
        for function, _title, points, hidden in check_markers(path):
            entry = table.setdefault(function, {"public": 0.0, "hidden": 0.0})
            entry["hidden" if hidden else "public"] += points
    return table


def _number(points):
    return int(points) if float(points).is_integer() else points


def check_cell_source(assignment_id, function, points):
    total = points["public"] + points["hidden"]
    if points["public"] and points["hidden"]:
        about = (f"Run this cell to see the public checks\n# in detail; grading adds hidden checks "
                 f"worth {points['hidden']:g} of the {total:g} points.")
    elif points["public"]:
        about = "Run this cell to see them in detail."
    else:
        about = "They are all hidden: grading runs them."
    call = f'nbgrader_checks.run("{assignment_id}", "{function}", {total:g}'
    lines = [f"# The checks of `{function}`, {total:g} points. {about}",
             IMPORT, call + ")"]
    if points["hidden"]:
        # Imported again after the student's code ran: a rebound name cannot stand in for the engine.
        lines += [HIDDEN_BEGIN, IMPORT, call + ", hidden=True)", HIDDEN_END]
    return "\n".join(lines)


def instructor_notebook(assignment):
    """The nbgrader source notebook: solution cells, and one test cell per rubric function."""
    source = assignment.reference_path.read_text()
    cells = jupytext.reads(source, fmt="py:percent").cells
    solved = [solution.solved_functions(c.source) if c.cell_type == "code" else [] for c in cells]
    nb = solution.notebook(source, lambda i: solved[i])
    table = rubric(assignment)
    unknown = [f for names in solved for f in names if f not in table]
    if unknown:
        raise solution.ReleaseError(f"no check is worth points for {', '.join(unknown)}")
    placed = {f: max(i for i, names in enumerate(solved) if f in names) for f in table
              if any(f in names for names in solved)}
    out = []
    for index, cell in enumerate(nb.cells):
        out.append(cell)
        for function in (f for f in table if placed.get(f) == index):
            out.append(_check_cell(assignment.id, function, table[function]))
    out += [_check_cell(assignment.id, f, table[f]) for f in table if f not in placed]
    first_code = next(i for i, cell in enumerate(out) if cell.cell_type == "code")
    out.insert(first_code, _plain_cell("setup", setup_cell_source(assignment.id)))
    if "self_check" in assignment.config:  # an assignment that trains a network on a data set
        out.append(_plain_cell("training-check", training_cell_source(assignment.id)))
    nb.cells = out
    return nb


def setup_cell_source(assignment_id):
    """The notebook's first code cell: installs the handout if it is at hand, else says how.

    Standard library only: it runs before the engine is installed (in Colab, always).
    """
    handout = f"{assignment_id}-student.zip"
    missing = _("The checks are not installed and {handout} was not found next to this notebook.\n"
                "In Colab: click the folder icon on the left, upload {handout} (keep it zipped), "
                "then run this cell again.\n"
                "In Jupyter: put {handout} next to this notebook and run this cell again, or run "
                "`python -m pip install {handout}` in a terminal and restart the kernel.").format(handout=handout)
    return "\n".join([
        "# " + _("Run this cell first: it makes the check cells below work (Colab or Jupyter)."),
        "import glob, importlib, importlib.util, subprocess, sys",
        "if importlib.util.find_spec(\"autograder\") is None:",
        f"    _handouts = sorted(glob.glob(\"{handout}\") + glob.glob(\"../{handout}\") + glob.glob(\"/content/{handout}\"))",
        "    if _handouts:",
        "        subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\", _handouts[0]], check=True)",
        "        importlib.invalidate_caches()",
        "    else:",
        f"        print({missing!r})",
        "if importlib.util.find_spec(\"autograder\") is not None:",
        "    print(" + repr(_("The checks are ready.")) + ")",
    ])


def training_cell_source(assignment_id):
    about = _("Optional: train your network with the grader's schedule (a minute or less) and see which\n"
              "accuracy tiers it would likely reach. It uses training images only, never the test set.")
    return "\n".join([
        *("# " + line for line in about.splitlines()),
        "from autograder import training_check",
        f"training_check.notebook(\"{assignment_id}\")",
    ])


def _plain_cell(name, source):
    cell = nbformat.v4.new_code_cell(source)
    cell.id, cell.metadata = name, {}
    return cell


def _check_cell(assignment_id, function, points):
    cell = nbformat.v4.new_code_cell(check_cell_source(assignment_id, function, points))
    cell.id = f"checks-{function}"[:64]
    cell.metadata = {"nbgrader": {"grade": True, "grade_id": f"checks-{function}", "locked": True,
                                  "points": _number(points["public"] + points["hidden"]), "schema_version": 3,
                                  "solution": False, "task": False}}
    return cell


def generate_release(assignment, source_text, timeout=300):
    """nbgrader's release of the source notebook: ``nbgrader generate_assignment`` in a scratch course."""
    if importlib.util.find_spec("nbgrader") is None:
        raise solution.ReleaseError("the notebook release is made by nbgrader: "
                                   "pip install -e '.[nbgrader]' (make release does)")
    config = assignment.root / CONFIG
    if not config.is_file():
        raise solution.ReleaseError(f"{config} is missing: it configures nbgrader for the kit")
    name = f"{assignment.module}.ipynb"
    with tempfile.TemporaryDirectory(prefix="nbgrader-release-") as tmp:
        course = Path(tmp)
        shutil.copy(config, course / CONFIG)
        folder = course / SOURCE_DIRECTORY / assignment.id
        folder.mkdir(parents=True)
        (folder / name).write_text(source_text)
        cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment.id, "--no-db", "--force",
               f"--CourseDirectory.root={course}", f"--CourseDirectory.source_directory={SOURCE_DIRECTORY}",
               f"--CourseDirectory.release_directory={RELEASE_DIRECTORY}"]
        proc = subprocess.run(cmd, cwd=course, capture_output=True, text=True, timeout=timeout)
        target = course / RELEASE_DIRECTORY / assignment.id / name
        # nbgrader logs a broken config file and goes on without it: that is a failure here.
        if proc.returncode or not target.is_file() or "Exception while loading config" in proc.stderr:
            raise solution.ReleaseError(f"nbgrader generate_assignment failed:\n{proc.stderr[-3000:]}")
        return target.read_text()


def build(assignment):
    """Write the instructor's source notebook and nbgrader's release of it; return the paths."""
    text = nbformat.writes(instructor_notebook(assignment)) + "\n"
    source = assignment.solution_dir / f"{assignment.module}.ipynb"
    source.write_text(text)
    target = assignment.release_dir / f"{assignment.module}.ipynb"
    target.write_text(generate_release(assignment, text))
    return [source, target]
