"""One source of truth: the committed release is what the instructor's source generates, and leaks nothing."""
import re
import shutil
import zipfile

import pytest

from autograder import assignment as assignments
from autograder import release, solution
from kit import REFERENCE, ROOT, run_cli

ASSIGNMENT = assignments.resolve("mnist_mlp")
HIDDEN_TESTS = ASSIGNMENT.hidden_tests / "test_hidden.py"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """A copy of the repo's assignment sources, released into a scratch tree."""
    root = tmp_path_factory.mktemp("release")
    for part in ("assignments", "solutions", "autograder", "pyproject.toml", "nbgrader_config.py"):
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / part)
    scratch = assignments.Assignment("mnist_mlp", root)
    for name in ("mnist_mlp.py", "mnist_mlp.ipynb"):
        (scratch.release_dir / name).unlink()
    (scratch.solution_dir / "mnist_mlp.ipynb").unlink()  # the nbgrader source notebook
    release.build(scratch)
    return scratch


@pytest.mark.parametrize("name", ["assignments/mnist_mlp/mnist_mlp.py", "assignments/mnist_mlp/mnist_mlp.ipynb",
                                  "solutions/mnist_mlp/mnist_mlp.ipynb"])
def test_committed_release_is_in_sync(regenerated, name):
    committed = (ROOT / name).read_text()
    assert (regenerated.root / name).read_text() == committed, (
        f"{name} is stale: run `make release` and commit the result")


def _secrets():
    lines = [l for l in solution.solution_lines(REFERENCE.read_text()) if len(l) > 12]
    given = set(solution.strip_solutions(REFERENCE.read_text()).splitlines())
    lines = [l for l in lines if not any(l == g.strip() for g in given)]
    hidden = HIDDEN_TESTS.read_text()
    names = re.findall(r"^def (test_\w+)", hidden, re.MULTILINE)
    titles = re.findall(r'@check\("\w+", "([^"]+)"', hidden)
    return lines, names + titles


def _release_texts(zip_path):
    with zipfile.ZipFile(zip_path) as zf:
        # compiled catalogues (.mo) are binary; their strings still get searched
        return {n: zf.read(n).decode(errors="replace") for n in zf.namelist()}


def test_there_are_secrets_to_look_for():
    lines, hidden = _secrets()
    assert len(lines) >= 15 and len(hidden) >= 10


@pytest.mark.parametrize("where", ["release", "handout"])
def test_release_and_handout_leak_nothing(regenerated, where):
    lines, hidden = _secrets()
    if where == "release":
        texts = {str(p.relative_to(ASSIGNMENT.release_dir)): p.read_bytes().decode(errors="replace")
                 for p in ASSIGNMENT.release_dir.rglob("*") if p.is_file()
                 and "__pycache__" not in p.parts}
    else:
        texts = _release_texts(regenerated.root / "dist" / "mnist_mlp-student.zip")
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


def test_stubs_raise_with_hints():
    text = (ASSIGNMENT.release_dir / "mnist_mlp.py").read_text()
    assert text.count("raise NotImplementedError(\"") == len(ASSIGNMENT.graded)


def test_handout_self_check_works(regenerated, tmp_path):
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
