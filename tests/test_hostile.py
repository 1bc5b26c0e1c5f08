"""Hostile submissions are contained, earn nothing they did not earn, and harm no one else's grade.

The whole batch runs twice: graded by root, and graded by an ordinary user (the jail then
builds its namespaces inside a user namespace). Both must contain the same attacks.
"""
import json
import os
import shutil
import site
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

import numpy as np
import pytest

import unprivileged
from autograder.sandbox import jail
from autograder.assignment import load_module
from kit import GRADED, REFERENCE, ROOT, SUBMISSIONS, functions, grade, header, materialize

HOSTILE = sorted((SUBMISSIONS / "hostile").glob("*.py"))
MODES = ["root", "user"]
PLANTED = "pwned_by_write_outside.pth"  # what write_outside.py tries to leave behind
# Each batch grades ~20 submissions: allow for a loaded machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


def _skip_unless_possible(mode):
    if os.geteuid() != 0:
        pytest.skip("both modes need root: one grades as root, the other switches to a test user")
    if mode == "root" and jail.level() != "full":
        pytest.skip("this machine gives root no namespaces (e.g. a container): see test_unconfined")
    if mode == "user" and subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                          "unshare", "--user", "--map-root-user", "--mount", "--net",
                                          "--pid", "--fork", "true"]).returncode:
        pytest.skip("this kernel forbids unprivileged user namespaces")


class LoopbackServer:
    """Listens on a port connect_port.py tries, and counts who connects."""

    def __init__(self):
        self.connections = 0
        self.socket = socket.socket()
        for port in (8888, 8080, 8000):
            try:
                self.socket.bind(("127.0.0.1", port))
                break
            except OSError:
                continue
        else:
            pytest.skip("no free port among those connect_port.py tries")
        self.socket.listen()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.socket.accept()[0].close()
            except OSError:
                return
            self.connections += 1


def _planted_targets(user_home):
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    folders = [Path(np.__file__).parent, Path(np.__file__).parents[1], Path(sys.prefix),
               ROOT / "autograder", Path("/tmp"), Path("/root"), Path(site.getusersitepackages()),
               Path(user_home) / ".local" / "lib" / version / "site-packages"]
    return [folder / PLANTED for folder in folders] + [Path("/tmp/pwned_by_pth")]


def _processes_of(uid):
    return [pid for pid in jail.processes_of(uid) if pid != os.getpid()]


@pytest.fixture(scope="module", params=MODES)
def hostile_grades(request):
    mode = request.param
    _skip_unless_possible(mode)
    account = unprivileged.ensure_user()
    marker = f"CLASSMATE-MARKER-{uuid.uuid4()}"
    # A folder the test user can read but not write, outside root's private /tmp/pytest-of-root.
    base = Path(tempfile.mkdtemp(prefix="hostile-"))
    base.chmod(0o755)
    folder, out = base / "class", base / "out"
    folder.mkdir(mode=0o755)
    out.mkdir()
    for snippet in HOSTILE:
        materialize(snippet, folder)
    (folder / "reference.py").write_text(REFERENCE.read_text())
    (folder / "alice.py").write_text(f"# {marker}\n" + (ROOT / "examples" / "alice.py").read_text())
    for path in folder.iterdir():
        path.chmod(0o644)
    server = LoopbackServer()
    try:
        if mode == "root":
            results = grade([folder], out)
        else:
            os.chown(out, account.pw_uid, account.pw_gid)
            # Root's copy of the data may be private to root: the user gets its own, and a data
            # cache of its own where the grader writes one.
            data, cache = base / "mnist.npz", base / "cache"
            shutil.copyfile(os.environ.get("MNIST_NPZ") or ROOT / "source_data" / "mnist.npz", data)
            data.chmod(0o644)
            cache.mkdir()
            os.chown(cache, account.pw_uid, account.pw_gid)
            proc = unprivileged.run_as_user(["grade", folder, "--out", out, "--jobs", 2, "--assignment", "mnist_mlp"],
                                            needs=[ROOT, folder, out], stash=base / "stash",
                                            env={"MNIST_NPZ": str(data)},
                                            binds=[(cache, ROOT / "source_data" / "cache")])
            assert proc.returncode == 0, proc.stderr
            results = {p.name: json.loads((p / "results.json").read_text())
                       for p in out.iterdir() if (p / "results.json").is_file()}
        yield {"mode": mode, "results": results, "out": out, "marker": marker, "server": server,
               "uid": jail.UID_BASE if mode == "root" else account.pw_uid, "home": account.pw_dir}
    finally:
        server.socket.close()
        shutil.rmtree(base, ignore_errors=True)


def test_corpus_is_large_enough():
    assert len(HOSTILE) >= 10


def test_honest_submissions_in_the_same_batch_are_untouched(hostile_grades):
    results = hostile_grades["results"]
    assert results["reference"]["score"] == 100
    assert results["alice"]["score"] == 100


@pytest.mark.parametrize("attack", HOSTILE, ids=lambda p: p.stem)
def test_attack_is_contained(hostile_grades, attack):
    results, out = hostile_grades["results"], hostile_grades["out"]
    mine = results[f"hostile_{attack.stem}"]
    loses = header(attack, "loses")
    points = functions(mine)
    assert set(GRADED) < set(points)
    for function in points:  # the graded functions and the network trained with them
        got, most = points[function]
        if function in loses:
            assert got == 0, f"{function} earned {got} through the attack"
        else:
            assert got == most, f"{function} should keep its points"
    # The result files on disk are exactly what the grader wrote.
    on_disk = json.loads((out / f"hostile_{attack.stem}" / "results.json").read_text())
    assert on_disk == mine and on_disk["score"] == sum(t["score"] for t in on_disk["tests"])


def test_nothing_leaks_into_any_output(hostile_grades):
    out, marker = hostile_grades["out"], hostile_grades["marker"]
    hidden = (ROOT / "solutions" / "mnist_mlp" / "tests" / "test_hidden.py").read_text()
    secrets = [marker, "BEGIN SOLUTION", "def test_one_hot_reference"]
    assert "def test_one_hot_reference" in hidden  # the needle still names a hidden test
    for path in out.rglob("*"):
        if path.is_file() and path.parent.name not in ("alice", "reference"):  # may quote their own file
            text = path.read_text(errors="replace")
            assert not [s for s in secrets if s in text], f"{path} shows what the sandbox should hide"
    feedback = json.dumps(hostile_grades["results"]["hostile_read_classmates"])
    assert "found nothing" in feedback


def test_nothing_is_left_behind(hostile_grades):
    assert not Path("/tmp/pwned_by_pickle").exists()
    for target in _planted_targets(hostile_grades["home"]):
        assert not target.exists(), f"{target} was written from the sandbox"
    if hostile_grades["mode"] == "root":
        out = subprocess.run(["ps", "-eo", "uid=,pid=,args="], capture_output=True, text=True).stdout
        # Only this engine's sandboxes: other checkouts on the machine may be grading right now.
        assert [line for line in out.splitlines()
                if int(line.split()[0]) >= jail.UID_BASE and str(ROOT) in line] == []
    else:
        assert _processes_of(hostile_grades["uid"]) == []


def test_no_connection_reaches_the_host(hostile_grades):
    assert hostile_grades["server"].connections == 0


def test_forged_results_never_reach_the_output(hostile_grades):
    out = hostile_grades["out"]
    for folder in out.iterdir():
        if folder.is_dir():
            data = json.loads((folder / "results.json").read_text())
            assert data["extra_data"]["student"] == folder.name
    assert not any(p.name == "results.json" and p.parent == ROOT for p in ROOT.iterdir())


def test_flood_is_cut(hostile_grades):
    out = hostile_grades["out"]
    feedback = (out / "hostile_flood_stdout" / "feedback.md").read_text()
    assert len(feedback) < 200_000
    assert "more characters of output cut" in feedback


def test_no_result_grows_with_what_the_child_sends(hostile_grades):
    """Every message, warning and printed line from the child is cut on the trusted side."""
    out = hostile_grades["out"]
    sizes = {folder.name: (folder / "results.json").stat().st_size for folder in out.iterdir() if folder.is_dir()}
    assert max(sizes.values()) < 1_000_000, sizes
    flood = json.loads((out / "hostile_flood_the_grader" / "results.json").read_text())
    outputs = [t["output"] for t in flood["tests"] if t["visibility"] == "visible"]
    assert any("more than 64 requests" in o for o in outputs)  # the callback flood stopped the call
    assert max(map(len, outputs)) < 5_000  # a 300,000-character message came back as 300 of them
    assert (out / "hostile_flood_the_grader" / "feedback.html").stat().st_size < 1_000_000


def test_the_grader_answers_only_what_the_check_needs(hostile_grades):
    results = hostile_grades["results"]
    itself = results["hostile_callbacks_for_itself"]
    assert itself["score"] == 0
    assert "the grader answers no call of train_step here" in itself["extra_data"]["artifacts"]["training"]["stopped"]
    # A callback for 1.6 GB is refused before anything is built: the grader stays as small as for anyone.
    huge = results["hostile_huge_callback"]["extra_data"]["grader_peak_rss_mb"]
    assert huge < 1.5 * results["reference"]["extra_data"]["grader_peak_rss_mb"] + 50


def test_no_hidden_input_reaches_the_student(hostile_grades):
    """The hidden checks run in a process of their own: what they sent cannot reach a later output."""
    hidden = load_module(ROOT / "solutions" / "mnist_mlp" / "tests" / "test_hidden.py", "hidden_checks")
    inputs = [hidden.rng(1).normal(scale=8, size=(7, 9)), hidden.rng(2).normal(scale=5, size=11),
              hidden.rng(8).normal(size=(9, 7)), hidden.rng(9).normal(size=(20, 12))]  # sigmoid, softmax,
    # affine_layer_backward and train_step: what the hidden checks send first
    needles = [repr(float(v))[:8] for x in inputs for v in x.ravel()[:5]]
    folder = hostile_grades["out"] / "hostile_exfiltrate_hidden_inputs"
    texts = [p.read_text(errors="replace") for p in folder.iterdir() if p.is_file()]
    training = json.loads((folder / "results.json").read_text())["extra_data"]["artifacts"]["training"]
    assert training["stopped"].startswith("RuntimeError in train_step at step 0: recorded:")
    assert not [n for n in needles for text in texts if n in text]


def test_the_grader_reads_no_more_than_a_step(hostile_grades):
    results = hostile_grades["results"]
    flood = results["hostile_snapshot_flood"]["extra_data"]
    assert flood["artifacts"]["training"]["steps_done"] == 1
    assert "cannot read" in flood["artifacts"]["training"]["stopped"]
    assert flood["grader_cpu_seconds"] < results["reference"]["extra_data"]["grader_cpu_seconds"]


def test_a_run_cut_short_still_draws_its_curves(hostile_grades):
    results = hostile_grades["results"]
    for name, step in (("hostile_nan_weights", 599), ("hostile_jump_to_embedded_weights", 300)):
        artifacts = results[name]["extra_data"]["artifacts"]
        assert artifacts["training"]["steps_done"] == step and not artifacts["training"]["completed"]
        assert f"at step {step}," in artifacts["training"]["stopped"]
        assert "plots" in artifacts and "plots_error" not in artifacts
        yours = artifacts["plots"][0]["series"]["yours"]
        assert yours["x"][-1] == 300 and None not in yours["y"]


def test_only_the_steps_the_grader_verified_count(hostile_grades):
    training = hostile_grades["results"]["hostile_forged_completion"]["extra_data"]["artifacts"]["training"]
    assert not training["completed"] and training["steps_done"] == 2  # its first skipped step
    assert training["stopped"].startswith("at step 2, train_step's update of W1 is not the SGD step")
