"""One source of truth: the committed release is what the instructor's source generates, and leaks nothing."""
import re
import shutil
import tomllib
import zipfile

import pytest

from autograder import assignment as assignments
from autograder import release, solution
from kit import ROOT, run_cli

IDS = ["mnist_mlp", "keras_mlp"]


@pytest.fixture(scope="module", params=IDS)
def regenerated(request, tmp_path_factory):
    """A copy of the repo's assignment sources, one assignment released into a scratch tree."""
    root = tmp_path_factory.mktemp("release")
    for part in ("assignments", "solutions", "autograder", "pyproject.toml", "nbgrader_config.py"):
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / part)
    scratch = assignments.Assignment(request.param, root)
    module = scratch.module
    for name in (f"{module}.py", f"{module}.ipynb"):
        (scratch.release_dir / name).unlink()
    (scratch.solution_dir / f"{module}.ipynb").unlink()  # the nbgrader source notebook
    release.build(scratch)
    return scratch


def test_committed_release_is_in_sync(regenerated):
    module = regenerated.module
    for name in (f"assignments/{regenerated.id}/{module}.py", f"assignments/{regenerated.id}/{module}.ipynb",
                 f"solutions/{regenerated.id}/{module}.ipynb"):
        committed = (ROOT / name).read_text()
        assert (regenerated.root / name).read_text() == committed, (
            f"{name} is stale: run `make release` and commit the result")


def _secrets(assignment):
    reference = assignment.reference_path.read_text()
    lines = [l for l in solution.solution_lines(reference) if len(l) > 12]
    given = set(solution.strip_solutions(reference).splitlines())
    lines = [l for l in lines if not any(l == g.strip() for g in given)]
    hidden = (assignment.hidden_tests / "test_hidden.py").read_text()
    names = re.findall(r"^def (test_\w+)", hidden, re.MULTILINE)
    titles = re.findall(r'@check\("\w+", "([^"]+)"', hidden)
    return lines, names + titles


def _release_texts(zip_path):
    with zipfile.ZipFile(zip_path) as zf:
        # compiled catalogues (.mo) are binary; their strings still get searched
        return {n: zf.read(n).decode(errors="replace") for n in zf.namelist()}


@pytest.mark.parametrize("assignment_id, least", [("mnist_mlp", 15), ("keras_mlp", 4)])
def test_there_are_secrets_to_look_for(assignment_id, least):
    lines, hidden = _secrets(assignments.resolve(assignment_id))
    assert len(lines) >= least and len(hidden) >= 10


@pytest.mark.parametrize("where", ["release", "handout"])
def test_release_and_handout_leak_nothing(regenerated, where):
    assignment = assignments.resolve(regenerated.id)
    lines, hidden = _secrets(assignment)
    if where == "release":
        texts = {str(p.relative_to(assignment.release_dir)): p.read_bytes().decode(errors="replace")
                 for p in assignment.release_dir.rglob("*") if p.is_file()
                 and "__pycache__" not in p.parts}
    else:
        texts = _release_texts(regenerated.root / "dist" / f"{regenerated.id}-student.zip")
        assert not any(n.startswith(("solutions/", "tests/", "source_data/")) for n in texts)
    for name, text in texts.items():
        text_lines = {line.strip() for line in text.replace("\\n", "\n").splitlines()}
        for secret in lines:
            assert secret not in text_lines, f"{name} contains the solution line {secret!r}"
        for secret in hidden:
            assert secret not in text, f"{name} names the hidden check {secret!r}"
        assert "BEGIN SOLUTION" not in text or name.startswith("autograder/")
        assert "HIDDEN TESTS" not in text or name.startswith("autograder/")
        assert "hidden=True" not in text or name.endswith(".py")  # the release notebook runs no hidden check


@pytest.mark.parametrize("assignment_id", IDS)
def test_stubs_raise_with_hints(assignment_id):
    assignment = assignments.resolve(assignment_id)
    text = (assignment.release_dir / f"{assignment.module}.py").read_text()
    assert text.count("raise NotImplementedError(\"") == len(assignment.graded)


def test_handout_installs_what_the_assignment_imports(regenerated):
    with zipfile.ZipFile(regenerated.root / "dist" / f"{regenerated.id}-student.zip") as zf:
        project = tomllib.loads(zf.read("pyproject.toml").decode())["project"]
    assert set(regenerated.requirements) <= set(project["dependencies"])
    assert ("tensorflow-cpu>=2.16" in project["dependencies"]) == (regenerated.id == "keras_mlp")


def test_handout_self_check_works(regenerated, tmp_path):
    if regenerated.id != "mnist_mlp":
        pytest.skip("installing TensorFlow in a fresh venv is too slow for the suite: the mnist_mlp handout "
                    "stands for the engine, and the test above for keras_mlp's requirements")
    with zipfile.ZipFile(regenerated.root / "dist" / "mnist_mlp-student.zip") as zf:
        zf.extractall(tmp_path)
    stubs = run_cli("check", cwd=tmp_path, timeout=300)
    assert stubs.returncode == 1
    assert "not implemented yet" in stubs.stdout and "0 / 66 public points" in stubs.stdout
    correct = tmp_path / "mine.py"
    correct.write_text((ROOT / "examples" / "alice.py").read_text())
    full = run_cli("check", correct, cwd=tmp_path, timeout=300)
    assert full.returncode == 0, full.stdout
    assert "66 / 66 public points" in full.stdout
