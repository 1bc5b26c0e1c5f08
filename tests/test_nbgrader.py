"""The kit as an nbgrader course: the source notebook, the in-kernel checks, and nbgrader end to end.

The end-to-end test runs the real nbgrader commands headless in a scratch course (a copy
of nbgrader_config.py and the source notebook): generate_assignment, then autograde of
three students (the reference filled in, the release untouched, a buggy one), then
generate_feedback and export; and it grades the same three notebooks with the kit's own
grader: both must give the same points per function.
"""
import csv
import re
import subprocess
import sys
import time
import zipfile

import jupytext
import nbformat
import pytest

from autograder import release, solution
from autograder.nbgrader import checks as nbgrader_checks
from autograder.nbgrader import source as nbgrader_source
from course import ASSIGNMENT, RELEASE_NB, RUBRIC, SOURCE_NB, answer
from course import create as create_course
from course import nbgrader, points, submit
from kit import REFERENCE, RELEASE, functions, grade

HIDDEN_TESTS = ASSIGNMENT.hidden_tests / "test_hidden.py"
NBGRADER_KEYS = {"grade", "grade_id", "locked", "points", "schema_version", "solution", "task"}


def _nbgrader_cells(nb):
    return [c for c in nb.cells if "nbgrader" in c.metadata]


def _check_cells(nb):
    return {c.metadata.nbgrader.grade_id.removeprefix("checks-"): c for c in _nbgrader_cells(nb)
            if c.metadata.nbgrader.grade}


# -- the source notebook, fast --------------------------------------------------------------
def test_source_notebook_is_an_nbgrader_source_notebook():
    from nbgrader.nbgraderformat import MetadataValidator
    nb = nbformat.read(SOURCE_NB, as_version=4)
    MetadataValidator().validate_nb(nb)  # raises on invalid schema-3 metadata
    for cell in _nbgrader_cells(nb):
        meta = cell.metadata.nbgrader
        assert meta.schema_version == 3 and set(meta) >= NBGRADER_KEYS - {"points"}
    solutions = [c for c in _nbgrader_cells(nb) if c.metadata.nbgrader.solution]
    names = [n for c in solutions for n in solution.solved_functions(c.source)]
    assert names == ASSIGNMENT.graded
    assert all(c.source.count(solution.BEGIN) == c.source.count(solution.END) >= 1 for c in solutions)
    checks = _check_cells(nb)
    assert {f: c.metadata.nbgrader.points for f, c in checks.items()} == RUBRIC
    assert sum(RUBRIC.values()) == 100
    for function, cell in checks.items():
        assert cell.metadata.nbgrader.locked and not cell.metadata.nbgrader.solution
        hidden = cell.source.split(solution.HIDDEN_BEGIN)[1].split(solution.HIDDEN_END)[0]
        assert f'nbgrader_checks.run("mnist_mlp", "{function}", {RUBRIC[function]}, hidden=True)' in hidden


def test_points_come_from_the_check_markers():
    table = nbgrader_source.rubric(ASSIGNMENT)
    assert {f: p["public"] + p["hidden"] for f, p in table.items()} == RUBRIC
    assert table["network"]["public"] == 0 and table["sigmoid"] == {"public": 7, "hidden": 3}


def test_release_notebook_is_the_py_release_plus_check_cells():
    nb = nbformat.read(RELEASE_NB, as_version=4)
    checks = _check_cells(nb)
    assert set(checks) == set(RUBRIC)
    extra = {"setup": "importlib.util.find_spec", "training-check": "training_check.notebook"}  # release.py's
    assert [c.id for c in nb.cells if c.id in extra] == list(extra)
    assert all(extra[c.id] in c.source for c in nb.cells if c.id in extra)
    code = [c.source for c in nb.cells if c.id not in {c.id for c in checks.values()} | set(extra)]
    py = jupytext.reads((ASSIGNMENT.release_dir / "mnist_mlp.py").read_text(), fmt="py:percent")
    assert code == [c.source for c in py.cells]
    for function, cell in checks.items():
        assert "HIDDEN" not in cell.source and "hidden=True" not in cell.source
        assert cell.source.endswith(f'nbgrader_checks.run("mnist_mlp", "{function}", {RUBRIC[function]})')


def test_a_check_cell_is_worth_the_number_it_returns_and_nothing_else():
    from nbgrader.utils import determine_grade  # how nbgrader's SaveAutoGrades scores a cell

    from autograder.nbgrader.preprocessors import ScoreCheckCells

    def scored(*outputs):
        cell = _check_cells(nbformat.read(SOURCE_NB, as_version=4))["sigmoid"]
        cell.outputs = [nbformat.from_dict(o) for o in outputs]
        cell, _ = ScoreCheckCells().preprocess_cell(cell, {}, 0)
        return determine_grade(cell)[0]

    def result(value):
        return {"output_type": "execute_result", "execution_count": 1, "metadata": {},
                "data": {"text/plain": value}}
    stderr = {"output_type": "stream", "name": "stderr", "text": "RuntimeWarning: overflow\n"}
    assert scored(stderr, result("7.0")) == 7                  # nbgrader alone: 0
    assert scored(result("10.0"), stderr, result("3.0")) == 3  # a forged earlier result does not count
    assert scored() == 0 and scored(stderr) == 0               # nbgrader alone: 10 (no output is a pass)
    assert scored(result("'ten'")) == 0 and scored(result("-1.0")) == 0 and scored(result("11.0")) == 0
    error = {"output_type": "error", "ename": "KeyboardInterrupt", "evalue": "", "traceback": []}
    assert scored(result("7.0"), error) == 0                   # a cell that failed after a result


# -- autograde without a kernel: what GradeInSandbox writes into the test cells, fast ----------
def _kit_results(status="graded"):
    """A results.json of the kit's (only sigmoid's checks, one hidden), as single.grade returns it."""
    test = {"tags": ["sigmoid"], "status": "passed", "visibility": "visible", "output": ""}
    tests = [{**test, "name": "sigmoid: known values", "score": 3, "max_score": 3},
             {**test, "name": "sigmoid: no nan at +-1000", "score": 0, "max_score": 2, "status": "failed",
              "output": "sigmoid([1000.0]): nan"},
             {**test, "name": "sigmoid: a hidden title", "score": 3, "max_score": 3, "visibility": "after_published",
              "output": "Hidden check: passed."}]
    return {"score": 6, "output": "Score: 6 / 8\ncode cell 3, line 2: not run", "tests": tests,
            "extra_data": {"status": status}}


def _autograded(monkeypatch, results, level="full"):
    from autograder.nbgrader import preprocessors
    from autograder.sandbox import jail
    monkeypatch.setattr(preprocessors.single, "grade", lambda assignment, path, student: results)
    monkeypatch.setattr(jail, "level", lambda: level)
    nb = nbformat.read(SOURCE_NB, as_version=4)
    own = nbformat.v4.new_code_cell("assert sigmoid(0) == 0.5")  # an instructor's own test cell
    own.metadata = {"nbgrader": {"grade": True, "grade_id": "own", "locked": True, "points": 1,
                                 "schema_version": 3, "solution": False, "task": False}}
    nb.cells.append(own)
    nb, _ = preprocessors.GradeInSandbox().preprocess(nb, {"nbgrader": {"student": "ann"}})
    return nb


def test_autograde_writes_each_functions_checks_and_points_into_its_test_cell(monkeypatch):
    nb = _autograded(monkeypatch, _kit_results())
    checks = _check_cells(nb)
    sigmoid = checks["sigmoid"].outputs
    assert sigmoid[0].text.startswith("Score: 6 / 8") and "not run" in sigmoid[0].text  # the notes, once
    assert "PASS  known values (3/3)" in sigmoid[1].text and "FAIL  no nan at +-1000 (0/2)" in sigmoid[1].text
    assert "sigmoid([1000.0]): nan" in sigmoid[1].text and "hidden check 1: passed (3/3)" in sigmoid[1].text
    assert "a hidden title" not in sigmoid[1].text
    assert sigmoid[-1].data["text/plain"] == "6.0"
    assert checks["softmax"].outputs[-1].data["text/plain"] == "0.0"  # no checks of its own ran
    assert [o.output_type for o in checks["softmax"].outputs] == ["stream", "execute_result"]
    own = nb.cells[-1].outputs
    assert [o.output_type for o in own] == ["error"] and "not run" in own[0].evalue


def test_autograde_gives_no_points_when_the_grade_failed(monkeypatch):
    nb = _autograded(monkeypatch, _kit_results(status="grading error: the grader process failed"))
    for cell in (c for f, c in _check_cells(nb).items() if f in RUBRIC):
        assert "execute_result" not in [o.output_type for o in cell.outputs]
        assert cell.outputs[-1].ename == "GradingError"


def test_autograde_refuses_where_student_code_cannot_be_confined(monkeypatch):
    with pytest.raises(RuntimeError, match="refusing to autograde.*GradeInSandbox.unconfined"):
        _autograded(monkeypatch, _kit_results(), level="basic")


# -- the in-kernel runner, without nbgrader -------------------------------------------------
ATTACKS = '''
import numpy
class AlwaysEqual:
    def __eq__(self, other):
        return True
    __ne__ = lambda self, other: False
    shape = (4, 10)

def one_hot(labels, num_classes=10):
    return AlwaysEqual()

def softmax(x):
    return numpy.ones_like(x) * AlwaysEqual()          # an object array of always-equal things

class ndarray_liar(numpy.ndarray):
    def __eq__(self, other):
        return numpy.ones(numpy.shape(other), dtype=bool)

def sigmoid(x):
    import sys
    print("debugging", file=sys.stderr)                 # neither this nor the overflow warning costs points
    return (1 / (1 + numpy.exp(-x))).view(ndarray_liar)

def cross_entropy_error(y, t):
    globals()["nbgrader_checks"] = None                  # rebinding a name mid-cell changes nothing
    while True:
        pass

expect_close = as_array = check = fail = run = None      # nor does rebinding the names the checks use
nbgrader_checks = None
'''


def _run_in(namespace, function, hidden=False):
    code = f"{nbgrader_source.IMPORT}\nresult = nbgrader_checks.run('mnist_mlp', {function!r}, hidden={hidden})"
    exec(compile(code, "<test cell>", "exec"), namespace)
    return namespace["result"]


def test_in_kernel_checks_see_plain_data_only(capsys):
    namespace = {"__name__": "__main__"}
    exec(compile(REFERENCE.read_text() + ATTACKS, "<cell>", "exec"), namespace)
    assert _run_in(namespace, "one_hot") == 0
    assert _run_in(namespace, "softmax") == 0
    assert _run_in(namespace, "sigmoid") == 7
    out = capsys.readouterr()
    assert "your code warned: RuntimeWarning: overflow" in out.out and "debugging" in out.out
    assert out.err == ""
    start = time.monotonic()
    assert _run_in(namespace, "cross_entropy_error") == 0
    assert time.monotonic() - start < 30  # one 5 s limit; the later checks do not wait again
    assert "did not finish within 5 s" in capsys.readouterr().out
    assert _run_in(namespace, "affine_layer_backward") == 16  # the reference's, untouched
    assert namespace["nbgrader_checks"] is nbgrader_checks  # the test cell's own import
    capsys.readouterr()
    assert _run_in(namespace, "affine_layer_backward", hidden=True) == 20  # public 16 + hidden 4
    out = capsys.readouterr().out
    assert "hidden check 1: passed (4/4)" in out and not any(s in out for s in _secrets())


def test_check_cell_lines_are_complete_and_honest(capsys, monkeypatch):
    monkeypatch.setattr(nbgrader_checks, "_public_scores", {})
    namespace = {"__name__": "__main__"}
    exec(compile(RELEASE.read_text(), "<cell>", "exec"), namespace)  # the untouched stubs
    code = nbgrader_source.IMPORT + "\nnbgrader_checks.run('mnist_mlp', {!r}, {})"
    for function, most in (("train_step", 20), ("network", 10)):
        exec(compile(code.format(function, most), "<test cell>", "exec"), namespace)
    lines = capsys.readouterr().out.splitlines()
    assert "train_step: 0 of 14 points from the public checks" in lines
    assert "train_step: hidden checks worth 6 more points run when your notebook is graded" in lines
    assert "network has no public checks" in lines
    assert "network: they use your other functions, and public checks above still fail for train_step" in lines
    assert "at most" not in "\n".join(lines)
    assert all(not line.rstrip().endswith(":") for line in lines)  # nothing cut after a colon


def test_in_kernel_feedback_names_the_alias_a_student_wrote(capsys):
    """The lesson's name for one-hot encoding: the kernel's checks say so, as the sandbox's do."""
    namespace = {"__name__": "__main__"}
    source = REFERENCE.read_text().replace("def one_hot(", "def _change_one_hot_label(")
    exec(compile(source, "<cell>", "exec"), namespace)
    assert _run_in(namespace, "one_hot") == 0
    assert "your _change_one_hot_label looks like it: the grader calls one_hot" in capsys.readouterr().out


# -- nbgrader, end to end -------------------------------------------------------------------
STUDENTS = ("reference", "untouched", "buggy")
BUGS = {  # function -> the buggy student's cell (replacing the reference's)
    "sigmoid": '''import sys


def sigmoid(x):
    print("sigmoid called", file=sys.stderr)  # a debugging print to stderr must not cost points
    return 1 / (1 + np.exp(-x))  # the lesson's sigmoid: warns (overflow) at -1000, and is right


def sigmoid_grad(x):
    s = sigmoid(x)
    return (1.0 - s) * s''',
    "softmax": '''def softmax(x):
    e = np.exp(x)  # no max subtracted: overflows at logits of 1000
    return e / np.sum(e, axis=-1, keepdims=True)''',
    "one_hot": '''class Anything:
    def __eq__(self, other):
        return True


def one_hot(labels, num_classes=10):
    return Anything()  # always "equal": must earn nothing''',
    "cross_entropy_error": '''class FullMarks:
    def run(self, *args, **kwargs):
        return 15.0


def cross_entropy_error(y, t):
    globals()["nbgrader_checks"] = FullMarks()  # rebinding the engine's name mid-cell changes nothing
    y = np.atleast_2d(y)
    t = np.asarray(t)
    if t.shape == y.shape or t.ndim == 1 and t.size == y.shape[1] and y.shape[0] == 1:
        t = np.argmax(t.reshape(y.shape), axis=1)
    return float(-np.sum(np.log(y[np.arange(len(y)), t] + 1e-12)))  # a sum, not a mean''',
}
HANG = "import time\n\ntime.sleep(600)  # a cell that would never end in a kernel"
EXPECTED = {
    "reference": RUBRIC,
    "untouched": dict.fromkeys(RUBRIC, 0),
    "buggy": {"sigmoid": 10, "softmax": 12, "one_hot": 0, "cross_entropy_error": 4,
              "affine_layer_backward": 20, "train_step": 20, "network": 0},
}


def _submission(student):
    nb = nbformat.read(RELEASE_NB, as_version=4)
    source = {c.id: c.source for c in nbformat.read(SOURCE_NB, as_version=4).cells}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and student != "untouched":
            cell.source = BUGS.get(meta["grade_id"]) if student == "buggy" else None
            cell.source = cell.source or answer(source[cell.id])
    if student == "buggy":
        nb.cells.insert(len(nb.cells) - 1, nbformat.v4.new_code_cell(HANG))
        nb.cells = [c for c in nb.cells if c.id != "checks-one_hot"]  # deleted: nbgrader puts it back
    return nb


def _secrets():
    hidden = HIDDEN_TESTS.read_text()
    names = re.findall(r"^def (test_\w+)", hidden, re.MULTILINE)
    return names + re.findall(r'@check\("\w+", "([^"]+)"', hidden) + ["HIDDEN TESTS", "hidden=True"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A scratch course: generate, submit, autograde, feedback, export; and the kit's grades."""
    seconds = {}
    start = time.monotonic()
    root = create_course(tmp_path_factory.mktemp("course"))
    seconds["generate_assignment"] = time.monotonic() - start
    submissions = tmp_path_factory.mktemp("submissions")
    for student in STUDENTS:
        nb = _submission(student)
        submit(root, student, nb)
        nbformat.write(nb, submissions / f"{student}.ipynb")
    for student in STUDENTS:
        start = time.monotonic()
        nbgrader(root, "autograde", "mnist_mlp", f"--student={student}")
        seconds[f"autograde {student}"] = time.monotonic() - start
    start = time.monotonic()
    nbgrader(root, "generate_feedback", "mnist_mlp")
    nbgrader(root, "export")
    seconds["generate_feedback + export"] = time.monotonic() - start
    start = time.monotonic()
    kit = grade([submissions], tmp_path_factory.mktemp("kit_grades"))
    seconds["kit grade"] = time.monotonic() - start
    print("\nnbgrader end to end, seconds:", {k: round(v, 1) for k, v in seconds.items()})
    return {"root": root, "kit": kit}


@pytest.mark.slow
def test_release_is_what_nbgrader_generates(course):
    generated = course["root"] / "release" / "mnist_mlp" / "mnist_mlp.ipynb"
    assert generated.read_text() == RELEASE_NB.read_text()
    assert sorted(p.name for p in generated.parent.iterdir()) == ["mnist_mlp.ipynb"]  # no solution, no tests
    for step, name in (("autograded", "mnist_mlp.ipynb"), ("feedback", "mnist_mlp.html")):
        for student in STUDENTS:
            folder = course["root"] / step / student / "mnist_mlp"
            assert sorted(p.name for p in folder.iterdir() if p.name != "timestamp.txt") == [name]


@pytest.mark.slow
def test_gradebook_scores(course):
    per_function, totals = points(course["root"], STUDENTS)
    assert per_function == EXPECTED
    assert totals == {s: sum(EXPECTED[s].values()) for s in STUDENTS} == {"reference": 100, "untouched": 0,
                                                                            "buggy": 66}


@pytest.mark.slow
def test_exported_csv(course):
    with open(course["root"] / "grades.csv", newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert {s: (float(rows[s]["score"]), float(rows[s]["max_score"])) for s in STUDENTS} == {
        s: (sum(EXPECTED[s].values()), 100.0) for s in STUDENTS}


@pytest.mark.slow
def test_kit_grader_agrees_per_function(course):
    per_function, _ = points(course["root"], STUDENTS)
    for student in STUDENTS:
        kit = functions(course["kit"][student])
        assert {f: got for f, (got, most) in kit.items()} == per_function[student], student
        assert {f: most for f, (got, most) in kit.items()} == RUBRIC


@pytest.mark.slow
def test_pitfalls_in_the_autograded_notebook(course):
    nb = nbformat.read(course["root"] / "autograded" / "buggy" / "mnist_mlp" / "mnist_mlp.ipynb", as_version=4)
    checks = _check_cells(nb)
    streams = [o for c in checks.values() for o in c.outputs if o.output_type == "stream"]
    assert streams and all(o.name == "stdout" for o in streams)
    assert "your code warned: RuntimeWarning: overflow" in "".join(o.text for o in streams)
    hang = next(c for c in nb.cells if c.source == HANG)
    assert hang.outputs == []  # never run: the kit grades definitions only, in its sandbox
    assert "(import time), line 3: not run" in checks["sigmoid"].outputs[0].text  # and says so
    assert checks["network"].outputs[-1].output_type == "execute_result"
    assert checks["one_hot"].outputs[-1].data["text/plain"] == "0.0"  # the deleted test cell ran


@pytest.mark.slow
def test_feedback_hides_the_hidden_tests(course):
    for student in STUDENTS:
        html = (course["root"] / "feedback" / student / "mnist_mlp" / "mnist_mlp.html").read_text()
        for secret in _secrets():
            assert secret not in html, f"{student}'s feedback shows {secret!r}"
        assert "hidden check 1: " in html and "Score" in html


@pytest.mark.slow
def test_students_run_the_public_checks_in_jupyter(tmp_path, monkeypatch):
    """The handout's release notebook, filled in, run in a plain kernel: public checks, no reference.

    A cell returns the points it can still earn (the public ones earned, plus the hidden
    checks' share), so nbgrader's Validate button calls a notebook that passes every public
    check a success instead of "partial credit".
    """
    from nbclient import NotebookClient
    with zipfile.ZipFile(release.handout(ASSIGNMENT, tmp_path / "dist")) as zf:
        zf.extractall(tmp_path / "handout")
    folder = tmp_path / "handout" / "assignments" / "mnist_mlp"
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "handout"))  # as `pip install -e .` in the handout would
    nb = _submission("reference")
    nb.cells.append(nbformat.v4.new_code_cell("import autograder\nprint(autograder.__file__)"))
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    checks = _check_cells(nb)
    scores = {f: float(c.outputs[-1].data["text/plain"]) for f, c in checks.items()}
    assert scores == RUBRIC
    text = "".join(o.get("text", "") for c in checks.values() for o in c.outputs)
    assert "PASS  known values (3/3)" in text and "hidden check " not in text
    assert "sigmoid: 7 of 7 points from the public checks\n" in text
    assert "sigmoid: hidden checks worth 3 more points run when your notebook is graded\n" in text
    assert nb.cells[-1].outputs[0].text.startswith(str(tmp_path / "handout"))  # no solutions/ there
    for student, verdict in (("reference", "Success! Your notebook passes all the tests."),
                             ("untouched", "VALIDATION FAILED ON 6 CELL(S)")):  # all but network
        path = folder / f"{student}.ipynb"
        nbformat.write(_submission(student), path)
        proc = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(path)], cwd=folder,
                              capture_output=True, text=True, timeout=300)
        assert verdict in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]
