"""`check --train`: the grader's schedule on the student's machine, scored on held-out training images."""
import numpy as np
import pytest

from autograder import assignment as assignments
from autograder import training_check
from kit import REFERENCE, RELEASE, ROOT, run_cli

ASSIGNMENT = assignments.resolve("mnist_mlp")


def test_sparkline_runs_from_lowest_to_highest():
    assert training_check.sparkline([3.0, 2.0, 1.0]) == "█▅▁"
    assert training_check.sparkline([1.0, 1.0]) == "▁▁"
    assert len(training_check.sparkline(list(range(400)), width=40)) == 40


def test_validation_part_is_disjoint_from_what_the_sandbox_reads():
    spec = ASSIGNMENT.config["dataset"]
    own = ASSIGNMENT.config["self_check"]
    folder, x_val, y_val = training_check.split(spec, own["validation_images"], own["validation_seed"])
    x_train = np.load(folder / "x_train.npy")
    assert len(x_val) == len(y_val) == own["validation_images"]
    assert len(x_train) + len(x_val) == 60000
    seen = {row.tobytes() for row in x_train.reshape(len(x_train), -1)}
    # MNIST has a few duplicate images; the held-out part is all but disjoint from the training part
    assert sum(row.tobytes() in seen for row in x_val.reshape(len(x_val), -1)) < 10


def test_evaluator_agrees_with_the_reference():
    reference = ASSIGNMENT.load_reference()
    evaluate = training_check.load_evaluator(ASSIGNMENT)
    r = np.random.default_rng(3)
    W1, b1, W2, b2 = (r.standard_normal(s) for s in ((784, 50), 50, (50, 10), 10))
    X, y = r.random((500, 784)), r.integers(0, 10, 500)
    assert evaluate.accuracy(W1, b1, W2, b2, X, y) == reference.accuracy(W1, b1, W2, b2, X, y)


def test_stubs_stop_at_once_with_the_reason(tmp_path):
    proc = run_cli("check", RELEASE, "--train", cwd=tmp_path, timeout=300)
    assert proc.returncode == 1
    assert "training stopped:" in proc.stdout and "not implemented yet" in proc.stdout, proc.stdout
    assert "90% tier: unlikely to be reached" in proc.stdout


def test_a_loss_gone_nan_reports_the_step(tmp_path):
    diverging = tmp_path / "diverging.py"
    diverging.write_text(REFERENCE.read_text() + "\n\n_original, _calls = train_step, []\n\n\n"
                         "def train_step(X, t, W1, b1, W2, b2, learning_rate):\n"
                         "    _calls.append(1)\n"
                         "    *params, loss = _original(X, t, W1, b1, W2, b2, learning_rate)\n"
                         "    return (*params, loss if len(_calls) < 250 else float('nan'))\n")
    proc = run_cli("check", diverging, "--train", cwd=tmp_path, timeout=300)
    assert proc.returncode == 1
    assert "training stopped: FloatingPointError at step 300: the loss became nan" in proc.stdout, proc.stdout
    assert "validation accuracy" not in proc.stdout


@pytest.mark.slow
def test_reference_is_likely_to_reach_both_tiers(tmp_path):
    page = tmp_path / "feedback.html"
    proc = run_cli("check", REFERENCE, "--train", "--html", page, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "90% tier: likely reached" in proc.stdout and "95% tier: unlikely" not in proc.stdout
    accuracy = float(proc.stdout.split("validation accuracy: ")[1].split("%")[0]) / 100
    assert 0.95 < accuracy < 1.0
    assert "loss every 100 steps" in proc.stdout
    html = page.read_text()
    assert "Training check" in html and "data:image/png;base64" in html
