"""feedback.html: expected vs received, likely causes, training curves; hidden checks show pass/fail only."""
import ast
import json
import re

import pytest

from autograder import assignment as assignments
from kit import ROOT, run_cli

pytestmark = pytest.mark.slow
EXAMPLES = ROOT / "examples"
HIDDEN = ROOT / "solutions" / "mnist_mlp" / "tests" / "test_hidden.py"
PUBLIC = ROOT / "assignments" / "mnist_mlp" / "tests" / "test_public.py"


def hidden_texts():
    """Every string a hidden check could put in a message (its own, and the engine's verdict on an
    accuracy tier), less what public checks say too."""
    engine = ast.parse((ROOT / "autograder" / "training.py").read_text())
    tier = next(n for n in ast.walk(engine) if isinstance(n, ast.FunctionDef) and n.name == "expect_tier")
    tree = ast.Module(body=[*ast.parse(HIDDEN.read_text()).body, tier], type_ignores=[])
    titles = {node.args[1].value for node in ast.walk(tree) if isinstance(node, ast.Call)
              and getattr(node.func, "id", "") == "check"}
    docstrings = {ast.get_docstring(n) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef))} - {None}
    public = PUBLIC.read_text()
    strings = {n.value.strip() for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    shown = " ".join(titles).lower()  # titles are shown by design
    return sorted(s for s in strings if len(s) >= 12 and " " in s and s not in docstrings
                  and s not in public and s.lower() not in shown)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("feedback")
    (folder / "alice.py").write_text((EXAMPLES / "alice.py").read_text())  # trains: curves
    (folder / "carol.py").write_text((EXAMPLES / "carol.py").read_text())  # fails public and hidden checks
    out = tmp_path_factory.mktemp("feedback_out")
    proc = run_cli("grade", folder, "--out", out, "--jobs", 2, "--assignment", "mnist_mlp")
    assert proc.returncode == 0, proc.stderr
    return out


def test_hidden_message_texts_are_known():
    texts = hidden_texts()
    assert "cross_entropy_error of a random batch" in texts and "one_hot of 37 random labels" in texts
    assert any("after the grader's training run" in t for t in texts)


@pytest.mark.parametrize("name", ["feedback.html", "feedback.md"])
def test_feedback_never_shows_hidden_messages(graded, name):
    results = json.loads((graded / "carol" / "results.json").read_text())
    failed_hidden = [t for t in results["tests"] if t["visibility"] != "visible" and t["status"] == "failed"]
    assert len(failed_hidden) >= 4  # cross-entropy, affine, train_step and the network are wrong
    page = (graded / "carol" / name).read_text()
    for text in hidden_texts():
        assert text not in page, f"{name} shows the hidden message text {text!r}"
    for test in failed_hidden:  # the title, pass/fail and points only
        assert test["name"].split(": ", 1)[1] in page


def test_feedback_shows_expected_received_and_cause(graded):
    page = (graded / "carol" / "feedback.html").read_text()
    start, end = (page.index(f"<code>{f}</code></h2>") for f in ("cross_entropy_error", "affine_layer_backward"))
    section = page[start:end]
    assert "<td>expected</td><td><code>[0.5249]</code>" in section
    assert "<td>received</td><td><code>[1.0498]</code>" in section
    assert "<b>Likely cause:</b> summed over the batch instead of averaging: divide by N" in section
    assert "Score: 47 / 100" in page
    assert "data:image/png" not in page  # carol's train_step is not written: no curve to draw


def test_training_curves_next_to_the_reference(graded):
    results = json.loads((graded / "alice" / "results.json").read_text())
    artifacts = results["extra_data"]["artifacts"]
    loss, accuracy = artifacts["plots"]
    assert set(loss["series"]) == set(accuracy["series"]) == {"yours", "reference"}
    schedule = assignments.resolve("mnist_mlp").config["schedule"]
    snapshots = list(range(0, schedule["steps"] + 1, schedule["snapshot_every"]))
    # both curves come from the returned weights, computed by the grader, at every snapshot
    assert loss["series"]["yours"]["x"] == snapshots and loss["series"]["yours"]["y"][-1] < 0.5
    mine, ref = accuracy["series"]["yours"], accuracy["series"]["reference"]
    assert mine["x"] == ref["x"] == snapshots
    # drawn in %, on a 2,000-image sample of the test split: within its noise (0.4 points) of the graded accuracy
    assert accuracy["ylabel"] == "test accuracy (%)" and accuracy["title"] == "Test accuracy (2,000 test images)"
    assert ref["y"][-1] > 96 and abs(mine["y"][-1] - 100 * artifacts["test_accuracy"]) < 1.5
    page = (graded / "alice" / "feedback.html").read_text()
    assert len(re.findall(r'<img alt="your training curves[^"]*" src="data:image/png;base64,', page)) == 1


def test_self_check_writes_the_same_feedback(tmp_path):
    target = tmp_path / "mine.html"
    proc = run_cli("check", EXAMPLES / "carol.py", "--html", target, "--assignment", "mnist_mlp", timeout=300)
    assert proc.returncode == 1
    page = target.read_text()
    assert "Self-check (public checks only)" in page and "Score: 36 / 66" in page
    assert "<b>Likely cause:</b> summed over the batch instead of averaging" in page
    assert "hidden check" not in page and "network" not in page
