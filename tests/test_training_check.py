"""`check --train`: the grader's schedule on the student's machine, scored on held-out training images."""
import numpy as np
import pytest

from autograder import assignment as assignments
from autograder import cli, data, training_check
from kit import REFERENCE, RELEASE, ROOT, run_cli

ASSIGNMENT = assignments.resolve("mnist_mlp")


def test_sparkline_runs_from_lowest_to_highest():
    assert training_check.sparkline([3.0, 2.0, 1.0]) == "█▅▁"
    assert training_check.sparkline([1.0, 1.0]) == "▁▁"
    assert len(training_check.sparkline(list(range(400)), width=40)) == 40


def test_validation_part_is_disjoint_from_what_is_trained_on():
    spec = ASSIGNMENT.config["dataset"]
    own = ASSIGNMENT.config["self_check"]
    x_train, y_train, x_val, y_val = training_check.split(spec, own["validation_images"], own["validation_seed"])
    assert len(x_val) == len(y_val) == own["validation_images"]
    assert len(x_train) == len(y_train) and len(x_train) + len(x_val) == 60000
    seen = {row.tobytes() for row in np.asarray(x_train).reshape(len(x_train), -1)}
    # MNIST has a few duplicate images; the held-out part is all but disjoint from the training part
    assert sum(row.tobytes() in seen for row in np.asarray(x_val).reshape(len(x_val), -1)) < 10


def test_trainer_scores_like_the_reference():
    reference = ASSIGNMENT.load_reference()
    trainer = ASSIGNMENT.load_trainer()
    r = np.random.default_rng(3)
    W1, b1, W2, b2 = (r.standard_normal(s) for s in ((784, 50), 50, (50, 10), 10))
    X, y = r.random((500, 784)), r.integers(0, 10, 500)
    assert trainer.accuracy(W1, b1, W2, b2, X, y) == reference.accuracy(W1, b1, W2, b2, X, y)
    expected = reference.cross_entropy_error(reference.predict(W1, b1, W2, b2, X), y)
    assert np.isclose(trainer.loss(W1, b1, W2, b2, X, y), expected, rtol=1e-4)  # the reference adds 1e-12 in its log


def test_stubs_stop_at_once_with_the_reason(tmp_path):
    proc = run_cli("check", RELEASE, "--train", cwd=tmp_path, timeout=300)
    assert proc.returncode == 1
    assert "training stopped:" in proc.stdout and "not implemented yet" in proc.stdout, proc.stdout
    assert "90% tier: unlikely to be reached" in proc.stdout


def test_weights_gone_nan_report_the_step(tmp_path):
    diverging = tmp_path / "diverging.py"
    diverging.write_text(REFERENCE.read_text() + "\n\n_original, _calls = train_step, []\n\n\n"
                         "def train_step(X, t, W1, b1, W2, b2, learning_rate):\n"
                         "    _calls.append(1)\n"
                         "    W1, b1, W2, b2, loss = _original(X, t, W1, b1, W2, b2, learning_rate)\n"
                         "    return (W1 if len(_calls) < 250 else W1 * float('nan')), b1, W2, b2, loss\n")
    proc = run_cli("check", diverging, "--train", "--assignment", "mnist_mlp", cwd=tmp_path, timeout=300)
    assert proc.returncode == 1
    assert "training stopped: at step 249, train_step returned nan or inf in W1" in proc.stdout, proc.stdout
    assert "validation accuracy" not in proc.stdout


def test_failing_public_train_step_checks_predict_no_accuracy_points(tmp_path):
    """check --train cannot verify each step (no reference); the public checks predict it."""
    mutant = tmp_path / "no_div_n.py"
    mutant.write_text(REFERENCE.read_text() + "\n\n" + (ROOT / "tests" / "submissions" / "mutants" /
                                                         "train_step_no_div_n.py").read_text())
    proc = run_cli("check", mutant, "--train", "--assignment", "mnist_mlp", cwd=tmp_path, timeout=300)
    assert proc.returncode == 1
    assert "95% tier: unlikely to be reached" in proc.stdout and "They fail now (" in proc.stdout, proc.stdout


def test_without_the_data_set_it_says_how_to_get_it_and_fails(tmp_path, monkeypatch, capsys):
    def no_copy(spec):
        raise data.DataError("No copy of mnist.npz was found. Set MNIST_NPZ=/path/to/mnist.npz")
    monkeypatch.setattr(data, "locate", no_copy)
    assert cli.main(["check", str(REFERENCE), "--train"]) == 1
    assert "Set MNIST_NPZ=/path/to/mnist.npz" in capsys.readouterr().out


@pytest.mark.slow
def test_reference_is_likely_to_reach_both_tiers(tmp_path):
    page = tmp_path / "feedback.html"
    proc = run_cli("check", REFERENCE, "--train", "--html", page, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "90% tier: likely reached" in proc.stdout and "95% tier: unlikely" not in proc.stdout
    accuracy = float(proc.stdout.split("validation accuracy: ")[1].split("%")[0]) / 100
    assert 0.95 < accuracy < 1.0
    assert "loss every 300 steps" in proc.stdout
    html = page.read_text()
    assert "Training check" in html and "data:image/png;base64" in html
