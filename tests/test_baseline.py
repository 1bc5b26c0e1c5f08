"""benchmarks/keras_baseline.py: the lesson's Keras model (keras_mlp's reference) beside the NumPy one."""
import json
import subprocess
import sys

import pytest
from kit import ROOT

from autograder.assignment import load_module

SCRIPT = ROOT / "benchmarks" / "keras_baseline.py"
baseline = load_module(SCRIPT, "keras_baseline")


def test_time_to_target_is_the_clock_at_the_first_epoch_that_reaches_it():
    history = [{"epoch": 1, "seconds": 4.0, "accuracy": 0.95}, {"epoch": 2, "seconds": 8.5, "accuracy": 0.97},
               {"epoch": 3, "seconds": 12.0, "accuracy": 0.965}, {"epoch": 4, "seconds": 16.5, "accuracy": 0.98}]
    assert baseline.time_to_target(history) == 8.5  # 97% exactly counts; a later dip does not undo it
    assert baseline.time_to_target(history, target=0.975) == 16.5
    assert baseline.time_to_target(history, target=0.99) is None
    assert baseline.time_to_target([]) is None


def test_without_tensorflow_it_says_what_to_install_and_exits_2(monkeypatch, capsys):
    monkeypatch.setattr(baseline, "find_spec", lambda name: None)
    assert baseline.main(["--epochs", "1", "--numpy-steps-cap", "10"]) == 2
    assert "pip install .[keras]" in capsys.readouterr().err


@pytest.mark.slow
def test_one_keras_epoch_beside_the_numpy_reference(tmp_path):
    figures = tmp_path / "baseline.json"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--epochs", "1", "--numpy-steps-cap", "1000", "--json",
                           str(figures)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", "TensorFlow's log noise reached stderr"
    assert "Keras" in proc.stdout and "NumPy reference" in proc.stdout, proc.stdout
    result = json.loads(figures.read_text())
    keras, numpy = result["keras"], result["numpy"]
    assert [e["epoch"] for e in keras["history"]] == [1]
    assert keras["final_accuracy"] > 0.85
    assert [e["step"] for e in numpy["history"]] == [500, 1000]  # stopped at the cap, scored every 500
    assert 0.85 < numpy["final_accuracy"] <= 1
    for run in (keras, numpy):
        assert run["train_seconds"] > 0 and run["seconds_per_epoch"] > 0 and run["peak_rss_mb"] > 0
        assert f"{run['final_accuracy']:.2%}" in proc.stdout
