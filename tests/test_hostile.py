"""Hostile submissions are contained, earn nothing they did not earn, and harm no one else's grade.

One batch (every file of tests/submissions/hostile/ and a classmate's honest file with a marker
in it) goes through every path a course deploys, once per path:

- ``root``: ``grade`` as root (the full jail, the child a uid of its own);
- ``user``: ``grade`` as an ordinary user (the full jail inside a user namespace);
- ``landlock``: ``grade`` as an ordinary user, the level capped at "landlock", as on a host
  without user namespaces;
- ``gradescope``: the Gradescope bundle, one simulated container per submission (root
  without CAP_SYS_ADMIN: namespaces denied, so the landlock level and a uid of its own);
- ``nbgrader``: ``nbgrader autograde`` of the same files as notebooks, in a course whose
  gradebook, source notebook and classmates' notebooks lie beside them.

Each must contain the same attacks: the same points per function, nothing leaked, written,
connected or left running, the engine and the course untouched.
"""
import hashlib
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import course
import gradescope_image
import unprivileged
from autograder.sandbox import jail
from autograder.assignment import load_module
from kit import GRADED, REFERENCE, ROOT, SUBMISSIONS, base, functions, grade, header, materialize, run_cli

HOSTILE = sorted((SUBMISSIONS / "hostile").glob("*.py"))
PATHS = ["root", "user", "landlock", "gradescope", "nbgrader"]
PLANTED = ("pwned_by_write_outside.pth", "pwned_by_tamper_gradebook.txt")  # what attacks try to leave behind
ABSTRACT_SOCKET = "\0autograder-hostile-unix-socket"  # unix_socket.py tries it
# Each batch grades ~25 submissions: allow for a loaded machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]


class LoopbackServer:
    """Listens on a port connect_port.py tries, and counts who connects."""

    def __init__(self):
        self.connections, self.closed = 0, False
        self.socket = socket.socket()
        for port in (8888, 8080, 8000):
            try:
                self.socket.bind(("127.0.0.1", port))
                break
            except OSError:
                continue
        else:
            pytest.skip("no free port among those connect_port.py tries")
        _serve(self)

    def close(self):
        _close(self, self.socket)


class UnixServer:
    """Listens on the abstract unix socket (stream and datagram) unix_socket.py tries."""

    def __init__(self):
        self.connections, self.closed = 0, False
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.datagrams = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self.socket.bind(ABSTRACT_SOCKET)
            self.datagrams.bind(ABSTRACT_SOCKET)
        except OSError:
            pytest.skip("the abstract socket unix_socket.py tries is taken")
        _serve(self)
        threading.Thread(target=self._receive, daemon=True).start()

    def _receive(self):
        while True:
            try:
                self.datagrams.recv(1024)
            except OSError:
                return
            if self.closed:
                return
            self.connections += 1

    def close(self):
        _close(self, self.socket, self.datagrams)


def _serve(server):
    server.socket.listen()

    def accept():
        while True:
            try:
                server.socket.accept()[0].close()
            except OSError:
                return
            if server.closed:
                return
            server.connections += 1
    threading.Thread(target=accept, daemon=True).start()


def _close(server, *sockets):
    """Wake the threads blocked on ``sockets`` (a plain close would leave them listening), then close."""
    server.closed = True
    for sock in sockets:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


def _digests(folder):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(Path(folder).rglob("*.py"))}


def _sandboxes(marker):
    """(pid, uid) of processes still running as a sandbox uid with ``marker`` in their command line."""
    out = subprocess.run(["ps", "-eo", "uid=,pid=,args="], capture_output=True, text=True).stdout
    return [(int(line.split()[1]), int(line.split()[0])) for line in out.splitlines()
            if int(line.split()[0]) >= jail.UID_BASE and marker in line]


def _level_as_user(env, needs, stash):
    """The level ``grade`` would get as the test user with ``env``."""
    account = unprivileged.ensure_user()
    command = ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups", "--",
               sys.executable, "-c", "from autograder.sandbox import jail; print(jail.level())"]
    proc = subprocess.run(unprivileged.reachable(command, needs, stash), capture_output=True, text=True,
                          cwd=ROOT, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **env})
    return proc.stdout.strip()


# -- the batch, through each path ----------------------------------------------------------
def _grade_as_user(batch, cap):
    account = unprivileged.ensure_user()
    os.chown(batch["out"], account.pw_uid, account.pw_gid)
    # Root's clone is the user's own on a real install: it gets its own copy of the data and a
    # data cache of its own where the grader writes one.
    base, data, cache = batch["base"], batch["base"] / "mnist.npz", batch["base"] / "cache"
    shutil.copyfile(os.environ.get("MNIST_NPZ") or ROOT / "source_data" / "mnist.npz", data)
    data.chmod(0o644)
    cache.mkdir()
    os.chown(cache, account.pw_uid, account.pw_gid)
    env = {"MNIST_NPZ": str(data)}
    if cap:
        env[jail.FORCE_ENV] = cap
    needs = [ROOT, batch["class"], batch["out"]]
    level = _level_as_user(env, needs, base / "stash")
    if level != (cap or "full"):
        pytest.skip(f"an ordinary user gets the {level!r} level here, not {cap or 'full'!r}")
    proc = unprivileged.run_as_user(["grade", batch["class"], "--out", batch["out"], "--jobs", 2, "--assignment", "mnist_mlp"], needs=needs,
                                    stash=base / "stash", env=env, binds=[(cache, ROOT / "source_data" / "cache")])
    assert proc.returncode == 0, proc.stderr
    return _read_grades(batch["out"]), account


def _read_grades(out):
    return {p.name: json.loads((p / "results.json").read_text()) for p in out.iterdir()
            if (p / "results.json").is_file()}


def _texts_of_folders(out):
    return {p.name: "\n".join(f.read_text(errors="replace") for f in p.rglob("*") if f.is_file())
            for p in out.iterdir() if p.is_dir()}


def _through_gradescope(batch):
    target = batch["base"] / "autograder.zip"
    proc = run_cli("bundle", "gradescope", "--out", target, "--assignment", "mnist_mlp")
    assert proc.returncode == 0, proc.stderr
    source = gradescope_image.build(target, batch["base"])
    engine = _digests(source / "autograder")
    runs = gradescope_image.grade({p.stem: (source, p) for p in sorted(batch["class"].iterdir())},
                                  batch["base"] / "containers")
    results = {name: results for name, (results, _log) in runs.items()}
    texts = {name: json.dumps(results) for name, results in results.items()}
    return {"results": results, "texts": texts, "engine": (engine, source / "autograder"), "kit": str(source),
            "forged": {name: r["extra_data"]["student"] == "submission" for name, r in results.items()}}


def _through_nbgrader(batch):
    """Two courses, half the batch each, autograded side by side (two cores); the classmate is in both."""
    files = sorted(p for p in batch["class"].iterdir() if p.stem != "alice")
    halves = [files[0::2], files[1::2]]
    roots = [course.create(batch["base"] / f"course{n}") for n in range(2)]
    for root, half in zip(roots, halves):
        for path in [batch["class"] / "alice.py", *half]:
            course.submit(root, path.stem, course.notebook_of(path.read_text()))
    untouched = {p: p.read_bytes() for root in roots for p in [*root.glob("submitted/alice/**/*.ipynb"),
                                                                *root.glob("solutions/**/*.ipynb")]}
    with ThreadPoolExecutor(2) as pool:
        logs = list(pool.map(lambda root: course.nbgrader(root, "autograde", "mnist_mlp").stderr, roots))
    results, texts = {}, {}
    for root, half in zip(roots, halves):
        students = [p.stem for p in half] + ["alice"]
        per_function, totals = course.points(root, students)
        for student in students:
            results[student] = {"score": totals[student], "extra_data": {"functions": {
                f: [got, course.RUBRIC[f]] for f, got in per_function[student].items()}}}
            nb = root / "autograded" / student / "mnist_mlp" / "mnist_mlp.ipynb"
            texts[student] = json.dumps([c.get("outputs", []) for c in json.loads(nb.read_text())["cells"]])
    return {"results": results, "texts": texts, "logs": logs, "courses": roots, "untouched": untouched}


@pytest.fixture(scope="module")
def listeners():
    """What connect_port.py and unix_socket.py try to reach, listening through every path's batch."""
    tcp, unix = LoopbackServer(), UnixServer()
    yield tcp, unix
    tcp.close()
    unix.close()


@pytest.fixture(scope="module", params=PATHS)
def hostile(request, listeners):
    path = request.param
    if os.geteuid() != 0:
        pytest.skip("every path needs root: to grade as root, to switch to a test user, or to drop a capability")
    if path in ("root", "nbgrader") and jail.level() == "basic":
        pytest.skip("this machine gives root no confinement: hostile code must never run unconfined")
    marker, top_marker = f"CLASSMATE-MARKER-{uuid.uuid4()}", f"TOPLEVEL-MARKER-{uuid.uuid4()}"
    # A folder every user can enter, outside root's private /tmp/pytest-of-root.
    base = Path(tempfile.mkdtemp(prefix="hostile-"))
    base.chmod(0o755)
    batch = {"base": base, "class": base / "class", "out": base / "out"}
    batch["class"].mkdir(mode=0o755)
    batch["out"].mkdir()
    for snippet in HOSTILE:
        materialize(snippet, batch["class"])
    (batch["class"] / "alice.py").write_text(f"# {marker}\n" + (ROOT / "examples" / "alice.py").read_text())
    for file in batch["class"].iterdir():
        file.chmod(0o644)
    # A file at the top of the file system, as a container's metadata file is (read_root_files.py).
    top = Path("/") / f"autograder-test-{uuid.uuid4()}"
    top.write_text(f"{top_marker}\n")
    top.chmod(0o644)
    tcp, unix = listeners
    reached = tcp.connections + unix.connections
    engine = _digests(ROOT / "autograder")
    try:
        found = {"engine": (engine, ROOT / "autograder"), "kit": str(ROOT), "forged": {}}
        if path == "root":
            results = grade([batch["class"]], batch["out"])
            found |= {"results": results, "texts": _texts_of_folders(batch["out"]), "uid": None}
        elif path in ("user", "landlock"):
            results, account = _grade_as_user(batch, "landlock" if path == "landlock" else None)
            found |= {"results": results, "texts": _texts_of_folders(batch["out"]), "uid": account.pw_uid,
                      "home": account.pw_dir}
        elif path == "gradescope":
            found |= _through_gradescope(batch)
        else:
            found |= _through_nbgrader(batch)
        if path in ("root", "user", "landlock"):
            found["forged"] = {name: r["extra_data"]["student"] == name for name, r in found["results"].items()}
            found["on_disk"] = batch["out"]
        found["connections"] = tcp.connections + unix.connections - reached
        yield {"path": path, "marker": marker, "top_marker": top_marker, "base": base, **found}
    finally:
        top.unlink(missing_ok=True)
        debris = [pid for pid, _uid in _sandboxes(str(base)) + _sandboxes(str(ROOT))]  # a failed test's
        if path in ("user", "landlock"):
            debris += [pid for pid in jail.processes_of(unprivileged.ensure_user().pw_uid) if pid != os.getpid()]
        for pid in debris:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        shutil.rmtree(base, ignore_errors=True)


def _id(attack):
    return f"hostile_{attack.stem}"


# -- what every path must hold ---------------------------------------------------------------
def test_corpus_is_large_enough():
    assert len(HOSTILE) >= 20


def test_an_honest_submission_in_the_same_batch_is_untouched(hostile):
    assert hostile["results"]["alice"]["score"] == 100


@pytest.mark.parametrize("attack", HOSTILE, ids=lambda p: p.stem)
def test_attack_is_contained(hostile, attack):
    mine = hostile["results"][_id(attack)]
    loses = header(attack, "loses")
    points = functions(mine)
    assert set(GRADED) < set(points)
    for function in points:  # the graded functions and the network trained with them
        got, most = points[function]
        if function in loses:
            assert got == 0, f"{function} earned {got} through the attack"
        else:
            why = [t.get("output") for t in mine.get("tests", []) if t["tags"] == [function] and t["status"] == "failed"]
            assert got == most, f"{function} should keep its points; {why}"
    if base(attack) != REFERENCE.read_text():  # written on the stubs: it earns what a stub earns
        assert mine["score"] == 0
    if "on_disk" in hostile:  # the result files on disk are exactly what the grader wrote
        on_disk = json.loads((hostile["on_disk"] / _id(attack) / "results.json").read_text())
        assert on_disk == mine and on_disk["score"] == sum(t["score"] for t in on_disk["tests"])


def test_the_level_is_the_one_this_path_gets(hostile):
    expected = {"root": "full", "user": "full", "landlock": "landlock", "gradescope": "landlock"}.get(hostile["path"])
    if expected is None:  # nbgrader: whatever this host gives the instructor, said in its log
        assert all(f"confined at the {jail.level()} " in log for log in hostile["logs"])
    else:
        assert {r["extra_data"].get("confinement") for r in hostile["results"].values()} == {expected}


def test_nothing_leaks_into_any_output(hostile):
    hidden = (ROOT / "solutions" / "mnist_mlp" / "tests" / "test_hidden.py").read_text()
    secrets = [hostile["marker"], hostile["top_marker"], "BEGIN SOLUTION", "def test_one_hot_reference"]
    assert "def test_one_hot_reference" in hidden  # the needle still names a hidden test
    for student, text in hostile["texts"].items():
        if student != "alice":  # it may quote its own file
            assert not [s for s in secrets if s in text], f"{student}'s output shows what the sandbox should hide"
    assert "found nothing" in hostile["texts"]["hostile_read_classmates"]
    assert "found nothing at the top" in hostile["texts"]["hostile_read_root_files"]


def test_nothing_is_left_behind(hostile):
    assert not Path("/tmp/pwned_by_pickle").exists() and not Path("/tmp/pwned_by_pth").exists()
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    folders = [Path(np.__file__).parent, Path(np.__file__).parents[1], Path(sys.prefix), ROOT / "autograder",
               ROOT / "solutions", Path("/tmp"), Path("/root"), Path(site.getusersitepackages())]
    if "home" in hostile:
        folders.append(Path(hostile["home"]) / ".local" / "lib" / version / "site-packages")
    for folder in folders:
        assert not [name for name in PLANTED if (folder / name).exists()], f"{folder} was written from the sandbox"
    assert not [p for name in PLANTED for p in hostile["base"].rglob(name)]
    if hostile.get("uid") is not None:  # an ordinary user's batch: nothing of that user still runs
        assert [pid for pid in jail.processes_of(hostile["uid"]) if pid != os.getpid()] == []
    assert _sandboxes(hostile["kit"]) == []  # the sandboxes of this path's engine


def test_the_engine_is_untouched(hostile):
    before, folder = hostile["engine"]
    assert _digests(folder) == before


def test_no_connection_reaches_the_host(hostile):
    assert hostile["connections"] == 0  # to a local TCP port or the abstract unix socket


def test_forged_results_never_reach_the_output(hostile):
    assert all(hostile["forged"].values())
    assert not any(p.name == "results.json" and p.parent == ROOT for p in ROOT.iterdir())


def test_flood_is_cut(hostile):
    assert len(hostile["texts"]["hostile_flood_stdout"]) < 300_000
    if hostile["path"] in ("root", "user", "landlock"):
        feedback = (hostile["on_disk"] / "hostile_flood_stdout" / "feedback.md").read_text()
        assert "more characters of output cut" in feedback


def test_the_nbgrader_course_is_untouched(hostile):
    if hostile["path"] != "nbgrader":
        pytest.skip("the course folders exist only on the nbgrader path")
    for path, content in hostile["untouched"].items():
        assert path.read_bytes() == content, f"{path} was changed"
    for root in hostile["courses"]:
        assert not list(root.rglob(PLANTED[1]))
        from nbgrader.api import Gradebook
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:  # still a readable database
            assert gb.find_submission("mnist_mlp", "alice").score == 100


def _with_result_files(hostile):
    """The paths that write the whole results folder (Gradescope and nbgrader keep their own records)."""
    if "on_disk" not in hostile:
        pytest.skip("only grade writes every result file")
    return hostile["on_disk"]


def test_no_result_grows_with_what_the_child_sends(hostile):
    """Every message, warning and printed line from the child is cut on the trusted side."""
    out = _with_result_files(hostile)
    sizes = {folder.name: (folder / "results.json").stat().st_size for folder in out.iterdir() if folder.is_dir()}
    assert max(sizes.values()) < 1_000_000, sizes
    flood = json.loads((out / "hostile_flood_the_grader" / "results.json").read_text())
    outputs = [t["output"] for t in flood["tests"] if t["visibility"] == "visible"]
    assert any("more than 64 requests" in o for o in outputs)  # the callback flood stopped the call
    assert max(map(len, outputs)) < 5_000  # a 300,000-character message came back as 300 of them
    assert (out / "hostile_flood_the_grader" / "feedback.html").stat().st_size < 1_000_000


def test_the_grader_answers_only_what_the_check_needs(hostile):
    _with_result_files(hostile)
    results = hostile["results"]
    itself = results["hostile_callbacks_for_itself"]
    assert itself["score"] == 0
    assert "the grader answers no call of train_step here" in itself["extra_data"]["artifacts"]["training"]["stopped"]
    # A callback for 1.6 GB is refused before anything is built: the grader stays as small as for anyone.
    huge = results["hostile_huge_callback"]["extra_data"]["grader_peak_rss_mb"]
    assert huge < 1.5 * results["alice"]["extra_data"]["grader_peak_rss_mb"] + 50


def test_no_hidden_input_reaches_the_student(hostile):
    """The hidden checks run in a process of their own: what they sent cannot reach a later output."""
    hidden = load_module(ROOT / "solutions" / "mnist_mlp" / "tests" / "test_hidden.py", "hidden_checks")
    inputs = [hidden.rng(1).normal(scale=8, size=(7, 9)), hidden.rng(2).normal(scale=5, size=11),
              hidden.rng(8).normal(size=(9, 7)), hidden.rng(9).normal(size=(20, 12))]  # sigmoid, softmax,
    # affine_layer_backward and train_step: what the hidden checks send first
    needles = [repr(float(v))[:8] for x in inputs for v in x.ravel()[:5]]
    folder = _with_result_files(hostile) / "hostile_exfiltrate_hidden_inputs"
    texts = [p.read_text(errors="replace") for p in folder.iterdir() if p.is_file()]
    training = json.loads((folder / "results.json").read_text())["extra_data"]["artifacts"]["training"]
    assert training["stopped"].startswith("RuntimeError in train_step at step 0: recorded:")
    assert not [n for n in needles for text in texts if n in text]


def test_the_grader_reads_no_more_than_a_step(hostile):
    _with_result_files(hostile)
    results = hostile["results"]
    flood = results["hostile_snapshot_flood"]["extra_data"]
    assert flood["artifacts"]["training"]["steps_done"] == 1
    assert "cannot read" in flood["artifacts"]["training"]["stopped"]
    assert flood["grader_cpu_seconds"] < results["alice"]["extra_data"]["grader_cpu_seconds"]


def test_a_run_cut_short_still_draws_its_curves(hostile):
    _with_result_files(hostile)
    results = hostile["results"]
    for name, step in (("hostile_nan_weights", 599), ("hostile_jump_to_embedded_weights", 300)):
        artifacts = results[name]["extra_data"]["artifacts"]
        assert artifacts["training"]["steps_done"] == step and not artifacts["training"]["completed"]
        assert f"at step {step}," in artifacts["training"]["stopped"]
        assert "plots" in artifacts and "plots_error" not in artifacts
        yours = artifacts["plots"][0]["series"]["yours"]
        assert yours["x"][-1] == 300 and None not in yours["y"]


def test_only_the_steps_the_grader_verified_count(hostile):
    _with_result_files(hostile)
    training = hostile["results"]["hostile_forged_completion"]["extra_data"]["artifacts"]["training"]
    assert not training["completed"] and training["steps_done"] == 2  # its first skipped step
    assert training["stopped"].startswith("at step 2, train_step's update of W1 is not the SGD step")
