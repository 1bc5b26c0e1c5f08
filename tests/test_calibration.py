"""The accuracy tiers are calibrated: the reference clears the top one with margin, a non-learner fails.

The grader's run (autograder/training.py with the assignment's trainer and harness) in this
process, on five seeds of the schedule (initial weights and batches); the figures are in
each assignment.toml's [schedule] comments. keras_mlp's reference runs under the sandbox's
TensorFlow settings ([sandbox] env: one thread, no oneDNN), as in a grade.
"""
import os
import types

import numpy as np
import pytest

from autograder import assignment as assignments
from autograder import data, training

pytestmark = pytest.mark.slow
IDS = ["mnist_mlp", "keras_mlp"]
MARGIN = 0.015


@pytest.fixture(scope="module")
def mnist():
    return data.load(assignments.resolve("mnist_mlp").config["dataset"])


def train_and_score(assignment, arrays, module, seed):
    """The grader's schedule with ``seed``, run in-process (trusted code only), scored on the test set."""
    s = dict(assignment.config["schedule"], seed=seed)
    trainer = assignment.load_trainer()
    run = training.train(training.InProcess(module, assignment.harness), trainer.initial_params(s),
                         trainer.batches(arrays["x_train"], arrays["y_train"], s), steps=s["steps"],
                         cpu_seconds=10 * s["cpu_seconds"], names=s["parameters"], **trainer.step_kwargs(s))
    assert run.completed, run.stop
    return trainer.accuracy(*(np.asarray(p, np.float64) for p in run.params), trainer.inputs(arrays["x_test"]),
                            arrays["y_test"])


def reference(assignment):
    os.environ.update(assignment.sandbox_env)  # before the reference imports TensorFlow
    return assignment.load_reference()


@pytest.mark.parametrize("assignment_id", IDS)
@pytest.mark.parametrize("seed", range(5))
def test_reference_clears_the_top_tier_with_margin(mnist, assignment_id, seed):
    assignment = assignments.resolve(assignment_id)
    accuracy = train_and_score(assignment, mnist, reference(assignment), seed)
    print(f"{assignment_id} seed {seed}: reference test accuracy {accuracy:.4f}")
    assert accuracy >= max(assignment.config["schedule"]["accuracy_tiers"]) + MARGIN


def frozen_mnist_mlp(assignment):
    return types.SimpleNamespace(train_step=lambda X, Y, W1, b1, W2, b2, lr: (W1, b1, W2, b2, 2.3))


def frozen_keras_mlp(assignment):
    lesson = reference(assignment)
    import keras
    return types.SimpleNamespace(preprocess=lesson.preprocess, build_model=lesson.build_model, compile_model=lambda m: (
        m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="sparse_categorical_crossentropy")))


@pytest.mark.parametrize("assignment_id", IDS)
def test_a_step_that_does_not_learn_stays_far_below(mnist, assignment_id):
    assignment = assignments.resolve(assignment_id)
    frozen = {"mnist_mlp": frozen_mnist_mlp, "keras_mlp": frozen_keras_mlp}[assignment_id](assignment)
    assert train_and_score(assignment, mnist, frozen, 0) < min(assignment.config["schedule"]["accuracy_tiers"]) - 0.5
