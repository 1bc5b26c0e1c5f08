"""Where the sandbox cannot be confined: a class batch refuses, a self-check still works."""
import os
import subprocess
import sys

import pytest

from autograder import cli
from autograder.sandbox import jail
from kit import ROOT

ALICE = ROOT / "examples" / "alice.py"


@pytest.fixture
def no_namespaces(monkeypatch):
    monkeypatch.setattr(jail, "level", lambda: "basic")


def test_a_class_is_not_graded_unconfined(no_namespaces, tmp_path, capsys):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "alice.py").write_text(ALICE.read_text())
    assert cli.main(["grade", str(tmp_path / "class"), "--out", str(tmp_path / "out")]) == 2
    said = " ".join(capsys.readouterr().err.split())
    for exposed in ("other submissions", "solutions", "network", "user namespaces", "--unconfined"):
        assert exposed in said
    assert not (tmp_path / "out").exists()


def _without_capability(capability, *args):
    """The CLI as root without one capability: the shape of a Docker container (Gradescope)."""
    return subprocess.run(["setpriv", f"--bounding-set=-{capability}", f"--inh-caps=-{capability}", "--",
                           sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop a capability")
def test_root_without_cap_sys_admin_gets_the_basic_level():
    probe = _without_capability("sys_admin", "-c", "from autograder.sandbox import jail; print(jail.level())")
    assert probe.stdout.strip() == "basic", probe.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop a capability")
def test_self_check_keeps_working_with_basic_limits():
    proc = _without_capability("sys_admin", "-m", "autograder", "check", str(ALICE), "--assignment", "mnist_mlp")
    assert proc.returncode == 0, proc.stderr
    assert "66 / 66 public points" in proc.stdout
