"""No shortcut to the accuracy points; every training run reports how it ended.

The grader verifies every step of its training run (the hidden checks' ``verify_step``), so
weights that were not trained there, by correct steps, earn no ``network`` points, however
they come back. Each shortcut here embeds a network that really scores ~97% on real MNIST
(asserted, so the test would catch a grader that let them through). The training mutants
show the ``training`` record of a run that crashes, one that is too slow, and one whose
update is wrong.
"""
import types

import pytest

from autograder import assignment as assignments
from autograder import data
from kit import REFERENCE, SUBMISSIONS, embedded_weights_prelude, functions, grade, header

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
SHORTCUTS = SUBMISSIONS / "shortcuts"
TRAINING = SUBMISSIONS / "training"
SHORTCUT_FILES = sorted(p for p in SHORTCUTS.glob("*.py") if p.name != "prelude.py")
TRAINING_FILES = sorted(TRAINING.glob("*.py"))


def shortcut_source(path):
    return "\n\n".join([REFERENCE.read_text(), embedded_weights_prelude(), path.read_text()])


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shortcuts")
    for path in SHORTCUT_FILES:
        (folder / f"shortcut_{path.name}").write_text(shortcut_source(path))
    for path in TRAINING_FILES:
        (folder / f"training_{path.name}").write_text(REFERENCE.read_text() + "\n\n" + path.read_text())
    (folder / "reference.py").write_text(REFERENCE.read_text())
    return grade([folder], tmp_path_factory.mktemp("shortcuts_out"))


def test_the_embedded_weights_would_earn_full_points_on_real_mnist():
    module = types.ModuleType("embedded")
    exec(compile("import numpy as np\n" + embedded_weights_prelude(), "prelude", "exec"), module.__dict__)
    assignment = assignments.resolve("mnist_mlp")
    arrays = data.load(assignment.config["dataset"], ["x_test", "y_test"])
    reference = assignment.load_reference()
    x_test = arrays["x_test"].reshape(len(arrays["x_test"]), -1) / 255.0
    assert reference.accuracy(*module.embedded_weights(), x_test, arrays["y_test"]) > 0.96


def test_there_are_three_shortcuts_and_three_training_mutants():
    assert [p.stem for p in SHORTCUT_FILES] == ["embedded_on_mnist_batches", "ignores_its_inputs",
                                                "swaps_the_training_loop"]
    assert len(TRAINING_FILES) == 3


@pytest.mark.parametrize("path", SHORTCUT_FILES, ids=lambda p: p.stem)
def test_a_shortcut_earns_no_network_points(graded, path):
    results = graded[f"shortcut_{path.stem}"]
    points = functions(results)
    training = results["extra_data"]["artifacts"]["training"]
    assert points["network"][0] == 0 and not training["completed"]
    # Stopped at the step the embedded weights came back: they are never the weights scored.
    assert "is not the SGD step on the grader's batch" in training["stopped"], training["stopped"]
    assert results["extra_data"]["artifacts"]["test_accuracy"] < 0.3
    for function, (got, most) in points.items():
        if function not in header(path, "loses"):
            assert got == most, f"{function} should keep its points"


@pytest.mark.parametrize("path", TRAINING_FILES, ids=lambda p: p.stem)
def test_a_stopped_run_is_recorded_and_earns_no_network_points(graded, path):
    results = graded[f"training_{path.stem}"]
    training = results["extra_data"]["artifacts"]["training"]
    assert functions(results)["network"][0] == 0
    assert not training["completed"] and training["steps_done"] < training["steps"]
    assert training["stopped"].startswith(header(path, "stopped")[0])
    assert training["test_accuracy"] == results["extra_data"]["artifacts"]["test_accuracy"]


def test_the_reference_run_is_recorded_as_completed(graded):
    results = graded["reference"]
    training = results["extra_data"]["artifacts"]["training"]
    assert {k: training[k] for k in ("steps_done", "completed", "stopped")} == {
        "steps_done": training["steps"], "completed": True, "stopped": ""}
    assert training["test_accuracy"] == results["extra_data"]["artifacts"]["test_accuracy"]
    assert 0 < training["ms_per_step"] < 60 and 0 < training["verify_ms_per_step"]
    assert training["test_accuracy"] >= 0.95 and results["score"] == 100
