"""The accuracy tiers are calibrated: the reference clears the top one with margin, a non-learner fails.

The grader's run (autograder/training.py with the assignment's trainer and harness) in this
process, on five seeds of the schedule (initial weights and batches); the figures are in
assignment.toml's [schedule] comments.
"""
import types

import pytest

from autograder import assignment as assignments
from autograder import data, training

pytestmark = pytest.mark.slow
ASSIGNMENT = assignments.resolve("mnist_mlp")
SCHEDULE = ASSIGNMENT.config["schedule"]
MARGIN = 0.015


@pytest.fixture(scope="module")
def mnist():
    return data.load(ASSIGNMENT.config["dataset"])


def train_and_score(arrays, module, seed):
    """The grader's schedule with ``seed``, run in-process (trusted code only), scored on the test set."""
    s = dict(SCHEDULE, seed=seed)
    trainer = ASSIGNMENT.load_trainer()
    run = training.train(training.InProcess(module, ASSIGNMENT.harness), trainer.initial_params(s),
                         trainer.batches(arrays["x_train"], arrays["y_train"], s), steps=s["steps"],
                         cpu_seconds=10 * s["cpu_seconds"], names=s["parameters"], learning_rate=s["learning_rate"])
    assert run.completed, run.stop
    return trainer.accuracy(*run.params, trainer.inputs(arrays["x_test"]), arrays["y_test"])


@pytest.mark.parametrize("seed", range(5))
def test_reference_clears_the_top_tier_with_margin(mnist, seed):
    accuracy = train_and_score(mnist, ASSIGNMENT.load_reference(), seed)
    print(f"seed {seed}: reference test accuracy {accuracy:.4f}")
    assert accuracy >= max(SCHEDULE["accuracy_tiers"]) + MARGIN


def test_a_step_that_does_not_learn_stays_far_below(mnist):
    frozen = types.SimpleNamespace(train_step=lambda X, Y, W1, b1, W2, b2, lr: (W1, b1, W2, b2, 2.3))
    assert train_and_score(mnist, frozen, 0) < min(SCHEDULE["accuracy_tiers"]) - 0.5
