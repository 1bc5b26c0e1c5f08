"""Two assignments on one engine: each submission is graded for the one its file names, or the one
named with --assignment; nothing is guessed. (Fast: nothing here is graded.)"""
import csv
import io

import pytest

from autograder import assignment as assignments
from autograder import batch, report
from kit import ROOT, run_cli

CANDIDATES = assignments.candidates()
IDS = [a.id for a in CANDIDATES]


def test_the_kit_holds_both_halves_of_the_lesson():
    assert IDS == ["keras_mlp", "mnist_mlp"]


@pytest.mark.parametrize("files, submitted, expected", [
    (["keras_mlp.py"], "keras_mlp.py", "keras_mlp"),
    (["mnist_mlp.ipynb"], "mnist_mlp.ipynb", "mnist_mlp"),
    (["alice.py"], "alice.py", None),  # says nothing
    (["dana/keras_mlp.ipynb", "dana/scratch.py"], "dana", "keras_mlp"),
    (["erin/keras_mlp.py", "erin/old/mnist_mlp.py"], "erin", None),  # says both
    (["frank/notes.py"], "frank", None),
])
def test_a_submission_names_its_assignment_by_its_file(tmp_path, files, submitted, expected):
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1")
    found = assignments.named_by(tmp_path / submitted, CANDIDATES)
    assert (found and found.id) == expected


def _entries(tmp_path, names):
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1")
    return batch.collect([tmp_path], tmp_path, tmp_path / "out", [a.module for a in CANDIDATES]).entries


def test_a_class_may_mix_assignments_when_every_file_says_which(tmp_path):
    entries = _entries(tmp_path, ["ann/keras_mlp.py", "ben/mnist_mlp.py", "cho/keras_mlp.ipynb"])
    used = batch.assign(entries, CANDIDATES)
    assert sorted(a.id for a in used) == IDS
    assert {e.id: e.assignment.id for e in entries} == {"ann": "keras_mlp", "ben": "mnist_mlp", "cho": "keras_mlp"}


def test_a_class_that_does_not_say_needs_the_assignment_named(tmp_path):
    entries = _entries(tmp_path, ["ann/keras_mlp.py", "ben.py", "cho.py"])
    with pytest.raises(batch.InputError, match=r"2 submission\(s\) do not say which they are \(ben.py, cho.py\)"):
        batch.assign(entries, CANDIDATES)
    named = assignments.candidates("mnist_mlp")
    assert batch.assign(entries, named) == named and {e.assignment.id for e in entries} == {"mnist_mlp"}


def test_grade_refuses_an_unnamed_file_with_two_assignments_and_grades_nothing(tmp_path):
    (tmp_path / "alice.py").write_text((ROOT / "examples" / "alice.py").read_text())
    proc = run_cli("grade", tmp_path / "alice.py", "--out", tmp_path / "out", timeout=120)
    text = " ".join(proc.stderr.split())
    assert proc.returncode == 2, proc.stderr
    assert "do not say which they are (alice.py)" in text and "--assignment" in text
    assert not (tmp_path / "out").exists()


def test_check_refuses_an_unnamed_file_and_says_how_to_name_it(tmp_path):
    (tmp_path / "alice.py").write_text("x = 1")
    proc = run_cli("check", tmp_path / "alice.py", timeout=120)
    text = " ".join(proc.stderr.split())
    assert proc.returncode == 2 and "FAIL" not in proc.stdout
    assert "alice.py does not say which it is (its file is not named keras_mlp.py or mnist_mlp.py)" in text, text


def test_a_mixed_class_sheet_names_each_row_assignment():
    rows = [{"score": 90, "tests": [{"max_score": 100}], "extra_data": {
        "student": "ann", "assignment": "keras_mlp", "functions": {"build_model": [25, 25]}, "status": "graded"}},
        {"score": 0, "tests": [], "extra_data": {"student": "notes.txt", "status": "not a submission: a .txt"}}]
    sheet = list(csv.reader(io.StringIO(report.grades_csv(rows, ["build_model"], with_assignment=True))))
    assert sheet[0][:2] == ["student", "assignment"]
    assert [r[:2] for r in sheet[1:]] == [["ann", "keras_mlp"], ["notes.txt", ""]]
    column = sheet[0].index("build_model")
    assert [r[column] for r in sheet[1:]] == ["25", "0"]
    assert "assignment" not in report.grades_csv(rows, ["build_model"]).splitlines()[0]


def test_a_mixed_class_is_not_compared_and_says_why(tmp_path):
    """Copied code is compared within one assignment's code (against its own boilerplate): a class
    that mixes both gets no comparison, and the instructor is told how to get one."""
    from rich.console import Console
    console = Console(file=io.StringIO(), width=200)
    assert batch._similarity(CANDIDATES, [], tmp_path, console) is None
    said = console.file.getvalue()
    assert "copied code was not checked: the class mixes 2 assignments" in said and "--assignment" in said
    assert not list(tmp_path.iterdir())
