"""Grading a whole class: an LMS zip with bad entries, duplicate names, resume, Ctrl-C, grades.csv, summary.html."""
import csv
import html
import json
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import batch as batch_module
from autograder import report, unzip
from autograder.sandbox import jail
from kit import REFERENCE, ROOT, descendants, functions, run_cli, wait_for_sandbox

pytestmark = pytest.mark.slow
REF = REFERENCE.read_text()
EXAMPLES = ROOT / "examples"
GRADED_IDS = {"alice.py", "alice.ipynb", "carol", "notes.txt", "latin1", "binary", "empty", "r_kernel"}
REJECTED = {"class.zip:../escape.py": "leaves the archive", "class.zip:/etc/abs.py": "an absolute path",
            "class.zip:link.py": "a symbolic link"}


def _r_notebook():
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}})
    nb.cells = [nbformat.v4.new_code_cell("x <- 1")]
    return nbformat.writes(nb)


def _class_zip(path):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("alice.py", (EXAMPLES / "alice.py").read_text())  # correct
        zf.writestr("alice.ipynb", (EXAMPLES / "bob.ipynb").read_text())  # same name, another file
        zf.writestr("carol/mnist_mlp.py", (EXAMPLES / "carol.py").read_text())  # buggy, in a folder
        zf.writestr("carol/.ipynb_checkpoints/mnist_mlp-checkpoint.py", "raise SystemExit")
        zf.writestr("__MACOSX/._alice.py", b"\0\x05\x16\x07")
        zf.writestr(".DS_Store", b"\0\0\0\1Bud1")
        zf.writestr("notes.txt", "roster, not a submission")
        zf.writestr("latin1.py", REF.encode() + "\n# caf\xe9\n".encode("latin-1"))
        zf.writestr("binary.py", bytes(range(256)) * 4)
        zf.writestr("empty.py", b"")
        zf.writestr("r_kernel.ipynb", _r_notebook())
        zf.writestr("../escape.py", REF)
        zf.writestr("/etc/abs.py", REF)
        link = zipfile.ZipInfo("link.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, str(REFERENCE))


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lms")
    archive = tmp / "class.zip"
    _class_zip(archive)
    out = tmp / "out"
    proc = run_cli("grade", archive, "--out", out, "--jobs", 2, "--id-column", "SIS User ID", "--assignment", "mnist_mlp")
    assert proc.returncode == 0, proc.stderr
    rows = {r["SIS User ID"]: r for r in csv.DictReader((out / "grades.csv").open())}
    return archive, out, rows


def _results(out, student):
    return json.loads((out / student / "results.json").read_text())


def test_every_entry_gets_one_row_and_junk_is_skipped(batch):
    archive, out, rows = batch
    assert set(rows) == GRADED_IDS | set(REJECTED)
    assert {p.name for p in out.iterdir() if p.is_dir()} == GRADED_IDS
    assert not (archive.parent.parent / "escape.py").exists() and not (archive.parent / "escape.py").exists()


def test_duplicate_names_are_both_graded_and_flagged(batch):
    _, out, rows = batch
    assert _results(out, "alice.py")["score"] == 100
    assert _results(out, "alice.ipynb")["score"] == 75  # bob's notebook, under alice's name
    assert "duplicate name" in rows["alice.py"]["status"] and "alice.ipynb" in rows["alice.py"]["status"]
    assert _results(out, "alice.py")["extra_data"]["student"] == "alice.py"


def test_buggy_submission_in_a_folder(batch):
    _, out, rows = batch
    assert rows["carol"]["score"] == "47"
    assert functions(_results(out, "carol"))["train_step"] == (0, 20)


@pytest.mark.parametrize("student, reason", [
    ("latin1", "not UTF-8"), ("binary", "binary file"), ("r_kernel", "is a R notebook"),
    ("notes.txt", "not a .py or .ipynb file"), *REJECTED.items()])
def test_bad_input_row_says_why(batch, student, reason):
    rows = batch[2]
    assert rows[student]["score"] == "0" and reason in rows[student]["status"]


@pytest.mark.parametrize("student, kind", [
    ("latin1", "unreadable: "), ("notes.txt", "not a submission: "), ("class.zip:link.py", "rejected from class.zip: "),
    ("carol", "graded"), ("alice.py", "graded; duplicate name: graded as alice.py, also submitted as alice.ipynb")])
def test_one_status_vocabulary_in_csv_results_and_summary(batch, student, kind):
    _, out, rows = batch
    status = rows[student]["status"]
    assert status.startswith(kind)
    if (out / student).is_dir():
        assert _results(out, student)["extra_data"]["status"] == status
    assert html.escape(status[:300]) in (out / "summary.html").read_text()


def test_empty_file_scores_zero(batch):
    _, out, rows = batch
    assert rows["empty"]["score"] == "0" and rows["empty"]["max_score"] == "100"
    assert "is not defined in your submission" in (out / "empty" / "feedback.md").read_text()


def test_every_results_json_is_valid(batch):
    _, out, _ = batch
    for folder in out.iterdir():
        if folder.is_dir():
            report.validate(_results(out, folder.name))


def test_summary_has_the_three_figures(batch):
    _, out, rows = batch
    page = (out / "summary.html").read_text()
    assert page.count('src="data:image/png;base64,') == 3
    for alt in ("score histogram", "pass rate of every check", "distribution of test_accuracy"):
        assert f'alt="{alt}"' in page
    assert 'href="carol/feedback.html"' in page and "link.py" in page


def _snapshot(out, students):
    return {p: p.stat().st_mtime_ns for s in students for p in (out / s).iterdir()}


def test_resume_regrades_only_missing_or_broken_results(batch, tmp_path):
    archive, first, _ = batch
    out = tmp_path / "out"
    shutil.copytree(first, out)  # copy2: the mtimes are kept
    shutil.rmtree(out / "empty")
    text = (out / "latin1" / "results.json").read_text()
    (out / "latin1" / "results.json").write_text(text[:len(text) // 2])  # as if cut mid-write
    untouched = GRADED_IDS - {"empty", "latin1"}
    before = _snapshot(out, untouched)
    proc = run_cli("grade", archive, "--out", out, "--jobs", 2, "--resume", "--id-column", "SIS User ID",
                   "--assignment", "mnist_mlp")
    assert proc.returncode == 0, proc.stderr
    assert "6 submission(s) already graded, 2 to go" in proc.stderr
    assert _snapshot(out, untouched) == before
    assert _results(out, "empty")["score"] == 0 and "not UTF-8" in _results(out, "latin1")["output"]
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert {r["SIS User ID"] for r in rows} == GRADED_IDS | set(REJECTED)
    assert {r["SIS User ID"]: r["score"] for r in rows}["alice.py"] == "100"


def test_ctrl_c_leaves_no_half_written_result(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    (folder / "a_empty.py").write_text("")
    (folder / "b_sleeps.py").write_text(REF + "\n\nimport time\n_ = time.sleep(120)\n")
    (folder / "c_empty.py").write_text("")
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(folder), "--out", str(out),
                             "--jobs", "1", "--assignment", "mnist_mlp"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (out / "a_empty" / "results.json").exists():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.2)
    wait_for_sandbox(proc.pid)  # b_sleeps is being loaded (it sleeps there)
    below = descendants(proc.pid)
    assert below
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "1 graded, 2 left" in stderr and "--resume" in stderr
    assert report.read_results(out / "a_empty")["score"] == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "a_empty", "a_empty/feedback.html", "a_empty/feedback.md", "a_empty/results.json"]
    assert not [pid for pid in below if Path(f"/proc/{pid}").exists()]  # workers, graders, sandboxes
    if jail.level() == "full":  # the interrupted submission's sandbox was reaped too
        assert not [pid for pid in below if jail.processes_of(jail.UID_BASE + pid)]


def test_archive_caps(tmp_path):
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(5):
            zf.writestr(f"s{i}.py", "0" * 1000)
    with pytest.raises(unzip.ArchiveError, match="entries"):
        unzip.unpack(archive, tmp_path / "a", max_files=4)
    with pytest.raises(unzip.ArchiveError, match="unpacks to 5,000 bytes"):
        unzip.unpack(archive, tmp_path / "b", max_total=4999)
    assert unzip.unpack(archive, tmp_path / "c") == [] and len(list((tmp_path / "c").iterdir())) == 5


def test_unreadable_archive_is_a_row_not_a_crash(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 cut short")
    proc = run_cli("grade", tmp_path / "broken.zip", "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader((tmp_path / "out" / "grades.csv").open()))
    assert [(r["student"], r["score"]) for r in rows] == [("broken.zip", "0")]
    assert "not a readable zip archive" in rows[0]["status"]


# -- what the command line accepts (fast: nothing is graded) -----------------------------------------
def _tree(root, files):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_folder_holding_only_the_class_folder_is_unwrapped(tmp_path):
    folder = _tree(tmp_path / "download", {"class_export/erin.py": "x = 1", "class_export/frank.py": "x = 2",
                                           "class_export/gina/mnist_mlp.py": "x = 3"})
    inputs = batch_module.collect([folder], tmp_path, tmp_path / "out", ["mnist_mlp"])
    assert [e.id for e in inputs.entries] == ["erin", "frank", "gina"]
    assert inputs.messages == ["download holds only the folder class_export/: graded its 3 entries as the class"]


def test_a_zip_holding_only_the_class_folder_is_unwrapped(tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("class_export/erin.py", "x = 1")
        zf.writestr("class_export/frank.py", "x = 2")
        zf.writestr("__MACOSX/class_export/._erin.py", b"\0")
    inputs = batch_module.collect([archive], tmp_path, tmp_path / "out", ["mnist_mlp"])
    assert [e.id for e in inputs.entries] == ["erin", "frank"]
    assert inputs.messages == ["class.zip holds only the folder class_export/: graded its 2 entries as the class"]


def test_one_students_folder_alone_is_not_unwrapped(tmp_path):
    folder = _tree(tmp_path / "class", {"dave/mnist_mlp.py": "x = 1", "dave/scratch.py": "x = 2"})
    inputs = batch_module.collect([folder], tmp_path, tmp_path / "out", ["mnist_mlp"])
    assert [e.id for e in inputs.entries] == ["dave"] and inputs.messages == []


@pytest.mark.parametrize("name, message", [
    ("nope", "does not exist; nothing was graded"),
    ("answers.txt", "answers.txt is not a .py or .ipynb file (or a folder holding one); nothing was graded")])
def test_grade_refuses_a_path_that_is_not_a_submission(tmp_path, name, message):
    (tmp_path / "answers.txt").write_text("def f(): pass")
    (tmp_path / "alice.py").write_text(REF)
    proc = run_cli("grade", tmp_path / "alice.py", tmp_path / name, "--out", tmp_path / "out")
    assert proc.returncode == 2 and message in " ".join(proc.stderr.split())
    assert not (tmp_path / "out").exists()  # nothing graded, not even alice


@pytest.mark.parametrize("files, target, message", [
    ({}, "nope", "does not exist"), ({}, ".", "no .py or .ipynb file found in"),
    ({"answers.txt": "def f(): pass"}, "answers.txt", "answers.txt is not a .py or .ipynb file"),
    ({"nb.ipynb": '{"cells": ['}, "nb.ipynb", "nb.ipynb is not a readable Jupyter notebook"),
    ({"a_stub.py": "x = 1", "b_correct.py": "x = 2"}, ".", "2 candidate files (a_stub.py, b_correct.py)")])
def test_check_applies_the_input_rules_of_grade(tmp_path, files, target, message):
    _tree(tmp_path / "work", files).mkdir(exist_ok=True)
    proc = run_cli("check", tmp_path / "work" / target, timeout=120)
    text = " ".join(proc.stderr.split())
    assert proc.returncode == 2 and message in text and "your submission could not be read" in text
    assert "FAIL" not in proc.stdout + proc.stderr  # one message, not one per check


def test_help_lists_the_commands_people_use():
    text = run_cli("--help").stdout
    assert "==SUPPRESS==" not in text and "grade-one" not in text
    assert "grade " in text and "check " in text
