"""Bad input gets a clear message and zero for what it affects, never a crash, never a lost batch."""
import csv
import json
import re

import nbformat
import pytest

from kit import GRADED, REFERENCE, RELEASE, failed_outputs, functions, run_cli

pytestmark = pytest.mark.slow

REF = REFERENCE.read_text()
WITHOUT_SOFTMAX = re.sub(r"\ndef softmax\(x\):.*?(?=\n# %%)", "\n", REF, flags=re.S)
CASES = {
    "corrupt.ipynb": b'{"cells": [',
    "latin1.py": REF.encode() + "\n# caf\xe9\n".encode("latin-1"),
    "binary.py": bytes(range(256)) * 4,
    "empty.py": b"",
    "missing_softmax.py": WITHOUT_SOFTMAX.encode(),
    "list_softmax.py": (REF + "\n\ndef softmax(x):\n    return [0.5, 0.5]\n").encode(),
    "naive_sigmoid.py": (REF + "\n\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n").encode(),
    "sleeps_at_load.py": (REF + "\n\nimport time\n_ = time.sleep(120)\n").encode(),
    "exits_at_load.py": (REF + "\n\nimport os\n_ = os._exit(3)\n").encode(),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    for name, data in CASES.items():
        (folder / name).write_bytes(data)
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}})
    nb.cells = [nbformat.v4.new_code_cell("x <- 1")]
    nbformat.write(nb, folder / "r_kernel.ipynb")
    (folder / "dave").mkdir()  # one folder per student, with a stray file beside the real one
    (folder / "dave" / "mnist_mlp.py").write_text(REF)
    (folder / "dave" / "scratch.py").write_text("raise SystemExit")
    (folder / "hank").mkdir()  # two candidates, neither the assignment's file: none is guessed at
    (folder / "hank" / "a_stub.py").write_text(RELEASE.read_text())
    (folder / "hank" / "b_correct.py").write_text(REF)
    out = tmp_path_factory.mktemp("inputs_out")
    proc = run_cli("grade", folder, "--out", out, "--jobs", 2, "--assignment", "mnist_mlp")
    assert proc.returncode == 0, proc.stderr
    graded = {p.name: json.loads((p / "results.json").read_text()) for p in out.iterdir() if p.is_dir()}
    return graded, out, proc.stdout


@pytest.mark.parametrize("student, message", [
    ("corrupt", "not a readable Jupyter notebook"), ("latin1", "not UTF-8"),
    ("binary", "binary file"), ("r_kernel", "is a R notebook"),
])
def test_unreadable_submission_scores_zero_with_reason(results, student, message):
    r = results[0][student]
    assert r["score"] == 0 and message in r["output"]
    assert all(message in t["output"] for t in r["tests"] if t["visibility"] == "visible")


def test_empty_file_names_what_is_missing(results):
    r = results[0]["empty"]
    assert r["score"] == 0
    assert "softmax is not defined in your submission" in failed_outputs(r, "softmax")[0]


def test_missing_function_costs_only_its_points(results):
    points = functions(results[0]["missing_softmax"])
    assert points["softmax"][0] == 0
    assert all(points[f][0] == points[f][1] for f in GRADED if f != "softmax")


def test_wrong_return_type_is_explained(results):
    r = results[0]["list_softmax"]
    assert "expected a numpy array of shape (3,), received a list" in failed_outputs(r, "softmax")[0]


def test_warnings_do_not_cost_points(results):
    r = results[0]["naive_sigmoid"]
    assert functions(r)["sigmoid"] == (10, 10)
    assert any("RuntimeWarning: overflow" in t["output"] for t in r["tests"] if t["status"] == "passed")


@pytest.mark.parametrize("student, note", [("sleeps_at_load", "did not finish within"),
                                           ("exits_at_load", "ended the process")])
def test_top_level_code_that_hangs_or_exits_is_skipped(results, student, note):
    r = results[0][student]
    assert r["score"] == 100
    assert note in r["output"]


def test_student_folder_is_graded_by_its_assignment_file(results):
    assert results[0]["dave"]["score"] == 100
    assert "graded file: mnist_mlp.py (ignored: scratch.py)" in results[0]["dave"]["output"]


def test_grades_csv_has_a_row_for_everyone(results):
    rows = list(csv.DictReader((results[1] / "grades.csv").open()))
    assert {r["student"] for r in rows} == set(results[0])
    status = {r["student"]: r["status"] for r in rows}
    unreadable = {"corrupt", "latin1", "binary", "r_kernel", "hank"}
    assert all(s == "graded" for name, s in status.items() if name not in unreadable)
    assert status["binary"] == "unreadable: binary.py is a binary file, not source code"
    assert status["latin1"].startswith("unreadable: latin1.py is not UTF-8")
    assert {r["student"]: r["score"] for r in rows}["dave"] == "100"


def test_several_candidate_files_grade_none_and_say_which(results):
    r = results[0]["hank"]
    assert r["score"] == 0
    assert r["extra_data"]["status"] == (
        "unreadable: hank holds 2 candidate files (a_stub.py, b_correct.py) and none is named mnist_mlp.py "
        "or mnist_mlp.ipynb, so none was graded; name the one to grade mnist_mlp.py")


def test_console_status_uses_the_same_words(results):
    rows = {line.split("│")[1].strip(): line.split("│")[-2].strip()
            for line in results[2].splitlines() if line.startswith("│") and line.split("│")[1].strip()}
    assert rows["corrupt"].startswith("unreadable: corrupt.ipynb is not a readable")  # the rest wraps
    assert rows["dave"] == "graded" and rows["empty"] == "graded"
