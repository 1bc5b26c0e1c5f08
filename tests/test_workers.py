"""Warm workers grade exactly as cold ``grade-one`` processes, and a lost worker is replaced."""
import json
import os
import signal

import pytest

from autograder import assignment as assignments
from autograder.workers import Pool, complete
from kit import REFERENCE, ROOT, SUBMISSIONS, materialize, run_cli

pytestmark = pytest.mark.slow


def stable(results):
    """A results.json without what differs between two runs of the same grade (time, memory)."""
    results = dict(results, execution_time=None)
    results["extra_data"] = {k: v for k, v in results["extra_data"].items() if not k.endswith("_rss_mb")}
    return results


def class_folder(folder):
    """A hostile file first (it patches NumPy), then correct, buggy, a notebook and an empty file."""
    materialize(SUBMISSIONS / "hostile" / "patch_numpy.py", folder).rename(folder / "a_patch_numpy.py")
    (folder / "b_reference.py").write_text(REFERENCE.read_text())
    materialize(SUBMISSIONS / "mutants" / "softmax_axis0.py", folder).rename(folder / "c_softmax_axis0.py")
    (folder / "d_bob.ipynb").write_text((ROOT / "examples" / "bob.ipynb").read_text())
    (folder / "e_empty.py").write_text("")
    return sorted(folder.iterdir())


@pytest.mark.timeout(1800)  # ten grades, on a machine that may be busy
def test_warm_grades_are_byte_identical_to_cold_ones(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    files = class_folder(folder)
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    proc = run_cli("grade", folder, "--out", warm, "--jobs", 2, "--assignment", "mnist_mlp")  # three per worker
    assert proc.returncode == 0, proc.stderr
    for path in files:
        proc = run_cli("grade-one", path, "--out", cold / path.stem, "--id", path.stem, "--assignment", "mnist_mlp")
        assert proc.returncode == 0, proc.stderr
    for path in files:
        w, c = warm / path.stem, cold / path.stem
        assert stable(json.loads((w / "results.json").read_text())) == \
            stable(json.loads((c / "results.json").read_text())), path.name
        assert (w / "feedback.md").read_bytes() == (c / "feedback.md").read_bytes(), path.name
    scores = {p.stem: json.loads((warm / p.stem / "results.json").read_text())["score"] for p in files}
    assert scores["b_reference"] == 100 and scores["e_empty"] == 0 and scores["c_softmax_axis0"] < 100


@pytest.mark.timeout(900)
def test_a_dead_worker_is_replaced(tmp_path):
    assignment = assignments.resolve("mnist_mlp")
    (tmp_path / "empty.py").write_text("")
    pool = Pool(assignment, timeout=300)
    try:
        assert pool.run(tmp_path / "empty.py", tmp_path / "out" / "one", "one") == ""
        (worker,) = pool.idle
        os.kill(worker.proc.pid, signal.SIGKILL)  # dies between two submissions
        worker.proc.wait()
        assert pool.run(tmp_path / "empty.py", tmp_path / "out" / "two", "two") == ""
        assert complete(tmp_path / "out" / "two") and pool.idle[0] is not worker
    finally:
        pool.close()


@pytest.mark.timeout(900)
def test_a_worker_killed_mid_grade_is_replaced_and_the_submission_regraded(tmp_path):
    import threading
    import time
    assignment = assignments.resolve("mnist_mlp")
    (tmp_path / "reference.py").write_text(REFERENCE.read_text())
    out = tmp_path / "out" / "reference"
    pool = Pool(assignment, timeout=300)
    problems = []
    try:
        grading = threading.Thread(target=lambda: problems.append(pool.run(tmp_path / "reference.py", out, "ref")))
        grading.start()
        deadline = time.monotonic() + 120
        while not pool.graders and time.monotonic() < deadline:  # the first worker has started grading
            time.sleep(0.05)
        (victim,) = pool.everyone
        time.sleep(1.0)  # well into the grade (imports done, checks running)
        os.killpg(victim.proc.pid, signal.SIGKILL)  # the worker, its grader and the sandbox, all at once
        grading.join(600)
        assert problems == [""], problems
        assert victim not in pool.everyone and complete(out)
        assert json.loads((out / "results.json").read_text())["score"] == 100
    finally:
        pool.close()
