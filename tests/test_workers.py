"""Warm workers grade exactly as cold ``grade-one`` processes, and a lost worker is replaced."""
import json
import os
import signal

import pytest

from autograder import assignment as assignments
from autograder.workers import Pool, complete
from kit import REFERENCE, ROOT, SUBMISSIONS, materialize, run_cli, wait_for_sandbox

pytestmark = pytest.mark.slow


def stable(results):
    """A results.json without what differs between two runs of the same grade (time, memory)."""
    results = dict(results, execution_time=None)
    extra = {k: v for k, v in results["extra_data"].items() if not k.endswith(("_rss_mb", "_cpu_seconds"))}
    training = extra.get("artifacts", {}).get("training")
    if training:
        extra["artifacts"] = dict(extra["artifacts"], training={
            k: v for k, v in training.items() if not k.endswith("ms_per_step")})
    results["extra_data"] = extra
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
@pytest.mark.parametrize("regrade", [True, False], ids=["a batch regrades", "Gradescope fails the grade"])
def test_a_worker_killed_mid_grade_is_replaced_and_the_submission_regraded_or_failed(tmp_path, regrade):
    """A batch grades the submission again on a fresh worker; a platform grading one submission
    alone (single.py) fails the grade instead, since the submission itself may have killed it."""
    import threading
    import time
    assignment = assignments.resolve("mnist_mlp")
    (tmp_path / "reference.py").write_text(REFERENCE.read_text())
    out = tmp_path / "out" / "reference"
    pool = Pool(assignment, timeout=300, regrade=regrade)
    problems = []
    try:
        grading = threading.Thread(target=lambda: problems.append(pool.run(tmp_path / "reference.py", out, "ref")))
        grading.start()
        deadline = time.monotonic() + 120
        while not pool.graders and time.monotonic() < deadline:  # the first worker has started grading
            time.sleep(0.05)
        (victim,) = pool.everyone
        wait_for_sandbox(victim.proc.pid)  # mid-grade: a check is calling the student's code
        os.killpg(victim.proc.pid, signal.SIGKILL)  # the worker, its grader and the sandbox, all at once
        grading.join(600)
        assert victim not in pool.everyone
        if regrade:
            assert problems == [""], problems
            assert complete(out) and json.loads((out / "results.json").read_text())["score"] == 100
        else:
            assert problems == ["the grader process failed: the worker process ended while grading"]
            assert not complete(out) and len(pool.everyone) == 0  # and no second worker was started
    finally:
        pool.close()
