"""docs/writing-an-assignment.md, followed literally: its files are written and its commands run, in order.

The guide's fenced blocks are the script: a block with ``title="path"`` is written to that
path, a ``bash`` block is run, in a copy of the kit. So the guide and this test cannot
drift apart. Along the way: the scaffold of ``new`` grades 100 and 0 before it is
replaced, and the audit finds, lists and then accepts relu's equivalent mutants.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from kit import ROOT, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
GUIDE = ROOT / "docs" / "writing-an-assignment.md"
BLOCK = re.compile(r"^```(\w*)([^\n]*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)
KIT = ("assignments", "solutions", "autograder", "pyproject.toml", "nbgrader_config.py", "Makefile", "babel.cfg")
VENV = Path(sys.executable).parents[1]


def steps(text):
    """("file", path, text) and ("run", None, script) in the guide's order."""
    for language, info, body in BLOCK.findall(text):
        title = re.search(r'title="([^"]+)"', info)
        if title:
            yield "file", title.group(1), body
        elif language == "bash":
            yield "run", None, body


def copy_kit(root):
    for part in KIT:
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / part)
    shim = root / ".bin"
    shim.mkdir()
    (shim / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (shim / "python").chmod(0o755)
    return shim


# `make` of the copied Makefile uses this venv (never rebuilding it): the guide's `make messages` as is.
PRELUDE = f'set -euo pipefail\nmake() {{ command make --old-file="{VENV}/.installed" VENV="{VENV}" "$@"; }}\n'


def fill_translations(root, assignment_id):
    """What the guide asks of the author after `make messages`: fill each empty msgstr (English: the message)."""
    for po_path in [*(root / "assignments" / assignment_id / "locale").rglob("*.po"),
                    *(root / "solutions" / assignment_id / "locale").rglob("*.po")]:
        with open(po_path, "rb") as f:
            catalog = read_po(f)
        for message in catalog:
            if message.id and not message.string:
                message.string = message.id
        with open(po_path, "wb") as f:
            write_po(f, catalog, width=100)


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    """Follow the guide in a copy of the kit; return (kit root, [(script, stdout)], scaffold grades)."""
    root = tmp_path_factory.mktemp("guide")
    shim = copy_kit(root)
    env = {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}
    ran, scaffold = [], None
    for kind, path, body in steps(GUIDE.read_text()):
        if kind == "file":
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(body)
            continue
        proc = subprocess.run(["bash", "-c", PRELUDE + body], cwd=root, env=env, capture_output=True, text=True,
                              timeout=600)
        assert proc.returncode == 0, f"the guide's step failed:\n{body}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        ran.append((body, proc.stdout))
        if body.strip() == "make messages":
            fill_translations(root, "relu")
        if body.strip().startswith("python -m autograder new ") and scaffold is None:
            scaffold = grade_scaffold(root)
    return root, ran, scaffold


def grade_scaffold(root):
    """`new`'s own example, before the guide replaces it: its reference and its generated stubs."""
    folder = root / "out" / "scaffold"
    folder.mkdir(parents=True)
    shutil.copy(root / "solutions" / "relu" / "relu.py", folder / "reference.py")
    shutil.copy(root / "assignments" / "relu" / "relu.py", folder / "stubs.py")
    proc = run_cli("grade", folder, "--out", root / "out" / "scaffold-grades", "--assignment", "relu", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return {s: json.loads((root / "out" / "scaffold-grades" / s / "results.json").read_text())
            for s in ("reference", "stubs")}


def test_the_guide_runs_every_step_it_shows(walk):
    _root, ran, _scaffold = walk
    commands = [line for body, _out in ran for line in body.splitlines()]
    for expected in ("python -m autograder new relu", "make messages", "python -m autograder release relu",
                     "python -m autograder audit relu", "python -m autograder bundle gradescope"):
        assert any(c.startswith(expected) for c in commands), f"the guide no longer shows {expected!r}"


def test_the_scaffold_grades_its_reference_at_100_and_its_stubs_at_0(walk):
    _root, _ran, scaffold = walk
    assert scaffold["reference"]["score"] == 100, scaffold["reference"]["tests"]
    assert scaffold["stubs"]["score"] == 0
    assert {t["tags"][0] for t in scaffold["stubs"]["tests"]} == {"normalize"}
    assert any("not implemented yet" in t["output"] for t in scaffold["stubs"]["tests"])


def test_the_guides_assignment_grades_its_reference_at_100_and_its_stubs_at_0(walk):
    root, _ran, _scaffold = walk
    grades = {s: json.loads((root / "out" / "relu-grades" / s / "results.json").read_text())
              for s in ("reference", "stubs")}
    assert grades["reference"]["score"] == 100 and grades["stubs"]["score"] == 0
    stubs = [t for t in grades["stubs"]["tests"] if t["visibility"] == "visible"]
    assert stubs and all("keep x where it is positive" in t["output"] for t in stubs), stubs  # the hint


def test_the_first_audit_names_its_survivors_with_diffs(walk):
    _root, ran, _scaffold = walk
    first = next(out for body, out in ran if body.strip() == "python -m autograder audit relu")
    assert "survivors: 3" in first, first
    for mutant in ("relu-comparison-ec5e66ba", "relu-drop_statement-3c07e39a", "relu-forgotten_call-96c442c0"):
        assert mutant in first
    assert "-    return x * (x > 0)\n" in first and "+    return x * (x >= 0)\n" in first


def test_the_listed_equivalents_complete_the_audit(walk):
    root, _ran, _scaffold = walk
    summary = json.loads((root / "out" / "audit" / "relu" / "report.json").read_text())
    assert (summary["survived"], summary["equivalent"], summary["score"]) == (0, 3, 1.0), summary
    assert summary["killed"] >= 5 and summary["sample"] is None
    reasons = {m["id"]: m["reason"] for m in summary["mutants"] if m["status"] == "equivalent"}
    assert reasons["relu-comparison-ec5e66ba"].startswith("at x == 0 both give 0")
    assert all(m["killed_by"] for m in summary["mutants"] if m["status"] == "killed")


def test_a_sampled_audit_says_so(walk, tmp_path):
    root, _ran, _scaffold = walk
    proc = run_cli("audit", "relu", "--sample", "3", "--seed", "2", "--out", tmp_path, cwd=root)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "report.json").read_text())
    assert summary["graded"] == 3 and summary["generated"] == 9 and summary["sample"] == {"size": 3, "seed": 2}
    assert "random sample of 3 of 9 mutants (seed 2): the score is an estimate" in proc.stdout
    assert "the score is an estimate" in (tmp_path / "report.md").read_text()


def test_the_release_and_the_bundle_hold_what_they_should(walk):
    root, _ran, _scaffold = walk
    with zipfile.ZipFile(root / "dist" / "relu-student.zip") as zf:
        names = zf.namelist()
        texts = "\n".join(zf.read(n).decode(errors="replace") for n in names)
    assert "assignments/relu/relu.py" in names and "assignments/relu/locale/ko/LC_MESSAGES/checks.mo" in names
    assert not any(n.startswith("solutions/") for n in names)
    assert "return x * (x > 0)" not in texts and "matches the reference on random inputs" not in texts
    with zipfile.ZipFile(root / "dist" / "relu-autograder.zip") as zf:
        names = zf.namelist()
    assert {"solutions/relu/relu.py", "solutions/relu/tests/test_hidden.py", "run_autograder"} <= set(names)
