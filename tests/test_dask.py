"""Grading through Dask: the same files as a local run, even when a Dask worker dies mid-batch."""
import json
import os
import signal
import threading
import time

import pytest

from kit import run_cli, wait_for_sandbox
from test_workers import class_folder, stable

distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  worker_class=distributed.Nanny) as cluster:
        yield cluster


def _kill_a_busy_worker(address, killed, give_up):
    """Once some worker is grading (a sandbox runs below it), end its process abruptly (the nanny
    starts a new one); ``killed`` gets the worker and the sandbox that was running then."""
    with distributed.Client(address, set_as_default=False) as client:
        while not give_up.is_set():
            busy = [w for w, tasks in client.processing().items() if any("grade_remote" in t for t in tasks)]
            if busy:
                pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
                sandbox = wait_for_sandbox(pid)
                os.kill(pid, signal.SIGKILL)
                killed.append((busy[0], sandbox))
                return
            time.sleep(0.2)


@pytest.mark.timeout(1800)  # ten grades, on a machine that may be busy
def test_dask_grades_equal_local_ones_and_survive_a_dead_worker(cluster, tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    files = class_folder(folder)
    (folder / "notes.txt").write_text("not a submission")
    local, remote = tmp_path / "local", tmp_path / "dask"
    proc = run_cli("grade", folder, "--out", local, "--jobs", 2, "--assignment", "mnist_mlp")
    assert proc.returncode == 0, proc.stderr

    killed, give_up = [], threading.Event()
    killer = threading.Thread(target=_kill_a_busy_worker, args=(cluster.scheduler_address, killed, give_up))
    killer.start()
    proc = run_cli("grade", folder, "--out", remote, "--scheduler", cluster.scheduler_address,
                   "--assignment", "mnist_mlp")
    give_up.set()
    killer.join()
    assert proc.returncode == 0, proc.stderr
    assert killed, "no worker was killed mid-batch"
    (_worker, sandbox), = killed  # it was killed mid-grade, with a sandbox running below it
    assert not os.path.exists(f"/proc/{sandbox}")  # and that sandbox went down with it

    assert (remote / "grades.csv").read_bytes() == (local / "grades.csv").read_bytes()
    assert sorted(p.name for p in remote.iterdir()) == sorted(p.name for p in local.iterdir())
    students = sorted(p.name for p in local.iterdir() if p.is_dir())
    assert students == sorted([p.stem for p in files] + ["notes.txt"])
    for name in students:
        a = json.loads((local / name / "results.json").read_text())
        b = json.loads((remote / name / "results.json").read_text())
        assert stable(a) == stable(b), name
        assert (local / name / "feedback.md").read_bytes() == (remote / name / "feedback.md").read_bytes(), name


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    (tmp_path / "empty.py").write_text("")
    proc = run_cli("grade", tmp_path / "empty.py", "--out", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9",
                   "--assignment", "mnist_mlp", timeout=120)
    assert proc.returncode != 0
    assert "tcp://127.0.0.1:9" in proc.stderr


@pytest.mark.timeout(300)
def test_a_dask_task_grades_in_the_language_it_was_sent_with(tmp_path):
    """``grade --lang ko --scheduler ...``: a Dask worker's environment has no --lang, the task carries it."""
    from autograder import dask_backend
    reply = dask_backend.grade_remote("mnist_mlp", 300, "ko", "minji", "minji.py", {"minji.py": b""},
                                      str(tmp_path), str(tmp_path / "out" / "minji"))
    assert reply["problem"] == ""
    results = json.loads(reply["files"]["results.json"])
    assert results["output"].startswith("점수: 0 / 100") and "# 피드백: minji" in reply["files"]["feedback.md"]
