"""The confinement levels: which one a host gets, what the landlock level takes away, and that
only the basic level makes `grade` refuse a class."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

from autograder import batch, cli
from autograder.sandbox import jail, landlock, restricted
from kit import ROOT
from unprivileged import in_container, reachable

ALICE = ROOT / "examples" / "alice.py"
LEVEL = "from autograder.sandbox import jail; print(jail.level())"
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop a capability")
needs_landlock = pytest.mark.skipif(landlock.abi() < 1, reason="this kernel has no Landlock")


@pytest.fixture
def level(monkeypatch):
    def set_level(name):
        monkeypatch.setattr(jail, "level", lambda: name)
    return set_level


def test_a_class_is_not_graded_unconfined(level, tmp_path, capsys):
    level("basic")
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "alice.py").write_text(ALICE.read_text())
    assert cli.main(["grade", str(tmp_path / "class"), "--out", str(tmp_path / "out")]) == 2
    said = " ".join(capsys.readouterr().err.split())
    for exposed in ("other submissions", "solutions", "network", "user namespaces", "Landlock", "--unconfined"):
        assert exposed in said
    assert not (tmp_path / "out").exists()


def test_a_class_is_graded_at_the_landlock_level(level, tmp_path, capsys, monkeypatch):
    level("landlock")
    graded = []
    monkeypatch.setattr(batch, "run", lambda *args, **kwargs: graded.append(args) or batch.Batch())
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "alice.py").write_text(ALICE.read_text())
    assert cli.main(["grade", str(tmp_path / "class"), "--out", str(tmp_path / "out")]) == 0
    assert graded and "confined at the landlock (" in " ".join(capsys.readouterr().err.split())


def _python(code, env=None, container=False, tmp_path=None):
    """``python -c code`` as root (in a simulated container: without CAP_SYS_ADMIN, with the
    interpreter reachable by every uid), or as it is."""
    command = [sys.executable, "-c", code]
    if container:
        command = reachable(in_container(command), [ROOT], tmp_path / "stash")
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


@needs_root
@needs_landlock
def test_root_without_cap_sys_admin_gets_the_landlock_level(tmp_path):
    assert _python(LEVEL, container=True, tmp_path=tmp_path).stdout.strip() == "landlock"


@needs_root
def test_a_sandbox_uid_that_cannot_reach_the_interpreter_gets_the_basic_level_and_says_why():
    blocked = [folder for path in jail.python_keep_paths() for folder in jail.untraversable_ancestors(path)]
    if not blocked:
        pytest.skip("this interpreter is installed where every user can read it")
    probe = subprocess.run(["setpriv", "--bounding-set=-sys_admin", "--inh-caps=-sys_admin", "--", sys.executable,
                            "-c", "from autograder.sandbox import jail; print(jail.describe(jail.level()))"],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert probe.stdout.startswith("basic (") and f"{blocked[0]} is closed to other users" in probe.stdout


@needs_root
@needs_landlock
def test_the_level_can_be_capped_but_never_raised(tmp_path):
    assert _python(LEVEL, {jail.FORCE_ENV: "basic"}).stdout.strip() == "basic"
    assert _python(LEVEL, {jail.FORCE_ENV: "full"}).stdout.strip() == jail.level()
    assert _python(LEVEL, {jail.FORCE_ENV: "landlock"}, container=True, tmp_path=tmp_path).stdout.strip() == "landlock"
    # A container gives no namespaces: asking for "full" there gets what there is, no more.
    assert _python(LEVEL, {jail.FORCE_ENV: "full"}, container=True, tmp_path=tmp_path).stdout.strip() == "landlock"
    bogus = _python(LEVEL, {jail.FORCE_ENV: "fortress"})
    assert bogus.stdout.strip() == jail.level() and "ignoring AUTOGRADER_CONFINEMENT='fortress'" in bogus.stderr


@needs_root
@needs_landlock
def test_self_check_works_at_the_landlock_level(tmp_path):
    command = reachable(in_container([sys.executable, "-m", "autograder", "check", ALICE, "--assignment", "mnist_mlp"]),
                        [ROOT], tmp_path / "stash")
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "66 / 66 public points" in proc.stdout


# -- what the landlock level takes away, one system call at a time ---------------------------
ATTEMPTS = textwrap.dedent('''
    import ctypes, errno, json, os, socket, sys
    import pyseccomp
    from autograder.sandbox import restricted, seccomp
    spec = json.loads(sys.argv[1])
    parent = os.getppid()
    work = CONFINE
    libc = ctypes.CDLL(None, use_errno=True)
    nr = lambda name: pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name)

    def outcome(call):
        try:
            result = call()
        except OSError as err:
            return errno.errorcode[err.errno]
        if isinstance(result, int) and result < 0:
            return errno.errorcode[ctypes.get_errno()]
        return "allowed"

    def write_in(folder):
        with open(os.path.join(folder, "x"), "w") as f:
            return f.write("x")

    print(json.dumps({
        "read the engine": outcome(lambda: open(restricted.__file__).read(1)),
        "read the kit's README": outcome(lambda: open(sys.argv[2]).read(1)),
        "list /": outcome(lambda: os.listdir("/")),
        "read /proc": outcome(lambda: open(f"/proc/{parent}/status").read(1)),
        "read its own /proc": outcome(lambda: open("/proc/self/status").read(1)),
        "write its folder": outcome(lambda: write_in(work)),
        "write /tmp": outcome(lambda: write_in("/tmp")),
        "socket": outcome(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM)),
        "unix socket": outcome(lambda: socket.socket(socket.AF_UNIX)),
        "socketpair": outcome(lambda: socket.socketpair()),
        "ptrace": outcome(lambda: libc.ptrace(0x4206, parent, None, None)),
        "process_vm_readv": outcome(lambda: libc.syscall(nr("process_vm_readv"), parent, None, 0, None, 0, 0)),
        "setsid": outcome(os.setsid),
        "setpgid": outcome(lambda: os.setpgid(0, 0)),
        "unshare": outcome(lambda: libc.unshare(0x10000000)),
        "clone a user namespace": outcome(lambda: libc.syscall(nr("clone"), 0x10000000 | 17, None, None, None, None)),
        "io_uring_setup": outcome(lambda: libc.syscall(nr("io_uring_setup"), 1, None)),
        "bpf": outcome(lambda: libc.syscall(nr("bpf"), 0, None, 0)),
        "keyctl": outcome(lambda: libc.syscall(nr("keyctl"), 0, 0, 0, 0, 0)),
        "mount": outcome(lambda: libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)),
        "signal the parent": outcome(lambda: os.kill(parent, 0)),
        "signal itself": outcome(lambda: os.kill(os.getpid(), 0)),
    }))
''')
DENIED = {"read the kit's README", "list /", "read /proc", "write /tmp", "socket", "unix socket", "socketpair",
          "ptrace", "process_vm_readv", "setsid", "setpgid", "unshare", "clone a user namespace", "io_uring_setup",
          "bpf", "keyctl", "mount", "signal the parent"}


def _attempts(tmp_path, confine="restricted.enter(spec)"):
    """What a process confined by ``confine`` (by default as a landlock-level child, keeping
    this uid) may still do. It is not a group leader, so setsid and setpgid could succeed."""
    work = tmp_path / "work"
    work.mkdir()
    spec = restricted.plan([*jail.python_keep_paths(), ROOT / "autograder"], [ROOT], str(work), None)
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r})\n" + ATTEMPTS.replace("CONFINE", confine)
    proc = subprocess.run([sys.executable, "-I", "-c", code, json.dumps(spec), str(ROOT / "README.md")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@needs_landlock
def test_the_landlock_level_takes_away_what_only_an_escape_needs(tmp_path):
    found = _attempts(tmp_path)
    assert {what for what, result in found.items() if result != "allowed"} == DENIED, found
    assert found["read the kit's README"] == found["read /proc"] == found["write /tmp"] == "EACCES"  # Landlock
    assert found["signal the parent"] == "EPERM"  # Landlock's scope (ABI 6)
    assert {found[what] for what in DENIED - {"read the kit's README", "list /", "read /proc", "write /tmp",
                                              "signal the parent"}} == {"EPERM"}  # seccomp


def test_without_signal_scoping_the_child_may_signal_only_itself(tmp_path):
    """The seccomp filter alone, as a child sharing the grader's uid gets it where Landlock is older than ABI 6."""
    found = _attempts(tmp_path, "seccomp.syscall_filter(only_self=os.getpid()).load() or spec['write'][0]")
    assert found["signal the parent"] == "EPERM" and found["signal itself"] == "allowed"
    assert found["socket"] == "EPERM" and found["read the kit's README"] == "allowed"  # no Landlock here


def test_a_hidden_folder_beneath_an_allowed_tree_is_cut_out(tmp_path):
    (tmp_path / "usr" / "lib" / "kit" / "solutions").mkdir(parents=True)
    (tmp_path / "usr" / "lib" / "other").mkdir()
    (tmp_path / "usr" / "bin").mkdir()
    allowed = landlock.outside([tmp_path / "usr"], [tmp_path / "usr" / "lib" / "kit"])
    assert sorted(allowed) == [str(tmp_path / "usr" / "bin"), str(tmp_path / "usr" / "lib" / "other")]
    assert landlock.outside([tmp_path / "usr"], [tmp_path / "elsewhere"]) == [str(tmp_path / "usr")]
