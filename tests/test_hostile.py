"""Hostile submissions are contained, earn nothing they did not earn, and harm no one else's grade."""
import json
import subprocess
from pathlib import Path

import pytest

from autograder.sandbox import jail
from kit import GRADED, REFERENCE, ROOT, SUBMISSIONS, functions, grade, header, materialize

HOSTILE = sorted((SUBMISSIONS / "hostile").glob("*.py"))
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    jail.level() != "full", reason="hostile code is only run inside the full jail (grader as root)")]


def _sandbox_processes():
    """Processes left running under a sandbox uid, anywhere on the machine."""
    out = subprocess.run(["ps", "-eo", "uid=,pid=,args="], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if int(line.split()[0]) >= jail.UID_BASE]


@pytest.fixture(scope="module")
def hostile_grades(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    for snippet in HOSTILE:
        materialize(snippet, folder)
    (folder / "reference.py").write_text(REFERENCE.read_text())
    (folder / "alice.py").write_text((ROOT / "examples" / "alice.py").read_text())
    # An existing results folder the forging submission would love to overwrite.
    out = tmp_path_factory.mktemp("hostile_out")
    results = grade([folder], out)
    return results, out


def test_corpus_is_large_enough():
    assert len(HOSTILE) >= 10


def test_honest_submissions_in_the_same_batch_are_untouched(hostile_grades):
    results, _ = hostile_grades
    assert results["reference"]["score"] == 100
    assert results["alice"]["score"] == 100


@pytest.mark.parametrize("attack", HOSTILE, ids=lambda p: p.stem)
def test_attack_is_contained(hostile_grades, attack):
    results, out = hostile_grades
    mine = results[f"hostile_{attack.stem}"]
    loses = header(attack, "loses")
    points = functions(mine)
    for function in GRADED:
        got, most = points[function]
        if function in loses:
            assert got == 0, f"{function} earned {got} through the attack"
        else:
            assert got == most, f"{function} should keep its points"
    # The result files on disk are exactly what the grader wrote.
    on_disk = json.loads((out / f"hostile_{attack.stem}" / "results.json").read_text())
    assert on_disk == mine and on_disk["score"] == sum(t["score"] for t in on_disk["tests"])


def test_nothing_is_left_behind(hostile_grades):
    assert not Path("/tmp/pwned_by_pickle").exists()
    assert _sandbox_processes() == []


def test_forged_results_never_reach_the_output(hostile_grades):
    results, out = hostile_grades
    for folder in out.iterdir():
        if folder.is_dir():
            data = json.loads((folder / "results.json").read_text())
            assert data["extra_data"]["student"] == folder.name
    assert not any(p.name == "results.json" and p.parent == ROOT for p in ROOT.iterdir())


def test_flood_is_cut(hostile_grades):
    results, out = hostile_grades
    feedback = (out / "hostile_flood_stdout" / "feedback.md").read_text()
    assert len(feedback) < 200_000
    assert "more characters of output cut" in feedback
