"""The accuracy tiers are calibrated: the reference clears the top one with margin, a non-learner fails.

Run on real MNIST and on two permutations of it (the grader trains on a secret one, see
autograder/permutation.py); the figures are in assignment.toml's [schedule] comments.
"""
import importlib.util
import types

import numpy as np
import pytest

from autograder import assignment as assignments
from autograder import data, permutation

pytestmark = pytest.mark.slow
ASSIGNMENT = assignments.resolve("mnist_mlp")
SCHEDULE = ASSIGNMENT.config["schedule"]
MARGIN = 0.015


PERMUTATIONS = [None, b"calibration-a", b"calibration-b"]  # secrets; None: real MNIST


@pytest.fixture(scope="module")
def mnist():
    spec = ASSIGNMENT.config["dataset"]
    return spec, data.load(spec)


def _harness():
    spec = importlib.util.spec_from_file_location("harness", ASSIGNMENT.harness)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train_and_score(mnist, student, seed, secret=None):
    """The grader's schedule, run in-process (trusted code only), scored on the test set,
    both shuffled by the permutation of ``secret`` (if any)."""
    spec, arrays = mnist
    shuffle = permutation.for_dataset(spec, secret) if secret else None
    folder = data.sandbox_cache(spec, shuffle)
    test = data.permuted({n: arrays[n] for n in ("x_test", "y_test")}, shuffle)
    reference = ASSIGNMENT.load_reference()
    r = np.random.default_rng(seed)
    d, h, c = SCHEDULE["layers"]
    std = SCHEDULE["weight_init_std"]
    params = [std * r.standard_normal((d, h)), np.zeros(h), std * r.standard_normal((h, c)), np.zeros(c)]
    W1, b1, W2, b2, _ = _harness().train(student, str(folder), *params, steps=SCHEDULE["steps"],
                                          batch_size=SCHEDULE["batch_size"],
                                          learning_rate=SCHEDULE["learning_rate"], seed=seed,
                                          log_every=SCHEDULE["log_every"], seconds=10 * SCHEDULE["seconds"])
    return reference.accuracy(W1, b1, W2, b2, test["x_test"].reshape(-1, d) / 255.0, test["y_test"])


@pytest.mark.parametrize("seed", range(5))
def test_reference_clears_the_top_tier_with_margin(mnist, seed):
    secret = PERMUTATIONS[seed % len(PERMUTATIONS)]
    accuracy = train_and_score(mnist, ASSIGNMENT.load_reference(), seed, secret)
    print(f"seed {seed}, permutation {secret}: reference test accuracy {accuracy:.4f}")
    assert accuracy >= max(SCHEDULE["accuracy_tiers"]) + MARGIN


def test_a_step_that_does_not_learn_stays_far_below(mnist):
    frozen = types.SimpleNamespace(train_step=lambda X, Y, W1, b1, W2, b2, lr: (W1, b1, W2, b2, 2.3))
    accuracy = train_and_score(mnist, frozen, 0, PERMUTATIONS[1])
    assert accuracy < min(SCHEDULE["accuracy_tiers"]) - 0.5
