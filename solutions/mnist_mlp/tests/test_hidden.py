"""Hidden checks for mnist_mlp: never shipped to students, never shown in detail.

They compare with the instructor's reference on randomized inputs and train the
student's network on MNIST, scoring it on the test set in the trusted process.
"""
import json
from pathlib import Path

import numpy as np
import pytest

from autograder import training
from autograder.checks import as_float, check, expect_close, fail
from autograder.i18n import _

SALT = 98765


def rng(salt):
    return np.random.default_rng([SALT, salt])


@check("sigmoid", "matches the reference on random inputs", points=3, hidden=True)
def test_sigmoid_reference(student, reference):
    x = rng(1).normal(scale=8, size=(7, 9))
    expect_close(student.sigmoid(x), reference.sigmoid(x), _("sigmoid of random inputs"), rtol=1e-6)


@check("softmax", "matches the reference on random vectors and batches", points=4, hidden=True)
def test_softmax_reference(student, reference):
    for x in (rng(2).normal(scale=5, size=11), rng(3).normal(scale=5, size=(13, 10))):
        expect_close(student.softmax(x), reference.softmax(x), _("softmax of shape {shape}").format(shape=x.shape),
                     rtol=1e-6)


@check("one_hot", "matches the reference on random labels", points=4, hidden=True)
def test_one_hot_reference(student, reference):
    labels = rng(4).integers(0, 10, size=37)
    expect_close(student.one_hot(labels), reference.one_hot(labels), _("one_hot of 37 random labels"))
    labels = rng(5).integers(0, 4, size=6)  # classes 4 and 5 never occur: the width is num_classes
    expect_close(student.one_hot(labels, 6), reference.one_hot(labels, 6), _("one_hot with 6 classes"))


@check("cross_entropy_error", "matches the reference on random batches", points=3, hidden=True)
def test_ce_reference(student, reference):
    y = reference.softmax(rng(6).normal(size=(12, 10)))
    labels = rng(7).integers(0, 10, size=12)
    for t in (labels, reference.one_hot(labels)):
        got = as_float(student.cross_entropy_error(y, t), "cross_entropy_error")
        expect_close(np.array(got), np.array(reference.cross_entropy_error(y, t)),
                     _("cross_entropy_error of a random batch"), rtol=1e-5)


@check("affine_layer_backward", "matches the reference on random shapes", points=4, hidden=True)
def test_affine_reference(student, reference):
    r = rng(8)
    X, W, b = r.normal(size=(9, 7)), r.normal(size=(7, 2)), r.normal(size=2)
    dout = r.normal(size=(9, 2))
    got = student.affine_layer_backward(dout, (X, W, b))
    want = reference.affine_layer_backward(dout, (X, W, b))
    if not isinstance(got, tuple) or len(got) != 3:
        fail(_("affine_layer_backward did not return a tuple (dX, dW, db)"))
    for g, w, name in zip(got, want, ("dX", "dW", "db")):
        expect_close(g, w, name, rtol=1e-6)


@check("train_step", "matches the reference step", points=6, hidden=True)
def test_train_step_reference(student, reference):
    r = rng(9)
    # 10 classes, as in the lesson, whose train_step may hard-code them; the other sizes stay small.
    X, Y = r.normal(size=(20, 12)), r.integers(0, 10, size=20)
    params = [0.3 * r.normal(size=(12, 7)), 0.1 * r.normal(size=7), 0.3 * r.normal(size=(7, 10)),
              0.1 * r.normal(size=10)]
    got = student.isolated("train_step")(X, Y, *params, learning_rate=0.3)
    want = reference.train_step(X, Y, *params, learning_rate=0.3)
    if not isinstance(got, tuple) or len(got) != 5:
        fail(_("train_step did not return a tuple (W1, b1, W2, b2, loss)"))
    for g, w, name in zip(got[:4], want[:4], ("W1", "b1", "W2", "b2")):
        expect_close(g, w, _("new {name}").format(name=name), rtol=1e-5)
    expect_close(np.array(as_float(got[4], _("loss"))), np.array(want[4]), _("loss"), rtol=1e-5)


# -- the network, trained by the student's train_step, scored on the test set here --------
# The trusted side drives the run (autograder/training.py): the assignment's trainer.py
# picks the initial weights and every batch, the sandbox's harness runs one train_step per
# batch, and ``verify_step`` below accepts a step only if it is the SGD update of the weights
# the grader kept, for the grader's batch. So the weights scored here are those of correct
# training by construction: embedded, recovered or swapped weights end the run at the step
# they appear. Each point of the curves is computed here, from the kept weights, on a fixed
# sample: training images for the loss, test images for the accuracy (the final accuracy, the
# one graded, uses the whole test split).
CURVE_SAMPLE = 2000
SKETCH = 2  # random directions the update of W1 is compared along


def verify_step(learning_rate, sketch_rng):
    """``verify(batch, old, new)`` for training.train: None if ``new`` is the SGD step of ``old``.

    The reference step is computed exactly for b1, W2 and b2; for W1 (784 x 50, the
    expensive one) only along SKETCH random directions R the student never sees:
    X^T (da1 R) against (W1 - new W1) R / learning rate. The tolerance is a relative error
    of 1e-3 plus the rounding of the returned dtype: float32 code passes, and no step can
    move the weights more than a thousandth of its own size off the path of correct
    training. Cost: about one forward pass per step, in float32 (half the time of float64),
    whose rounding (1e-7) is far below that tolerance.
    """
    R = sketch_rng.standard_normal((50, SKETCH))
    kept = {}  # the last accepted W1 and its sketch W1 R: the next step starts from them

    def sketch(W):
        if kept.get("W") is not W:
            kept.update(W=W, WR=np.asarray(W, dtype=np.float64) @ R)
        return kept["WR"]

    def verify(batch, old, new):
        images, labels = batch
        X = images.astype(np.float32)  # raw pixels: the network's input (trainer.inputs) is X / 255
        W1, b1, W2, b2 = old
        z1 = 0.5 + 0.5 * np.tanh(0.5 * ((X @ np.asarray(W1, dtype=np.float32)) / 255.0 + b1))  # the sigmoid
        logits = z1 @ W2 + b2
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        probs[np.arange(len(labels)), labels] -= 1.0
        d2 = probs / len(labels)
        da1 = (d2 @ np.asarray(W2).T) * z1 * (1.0 - z1)
        steps = {"W1": (X.T @ (da1 @ R).astype(np.float32)) / 255.0, "b1": da1.sum(axis=0), "W2": z1.T @ d2,
                 "b2": d2.sum(axis=0)}
        for (name, want), before, after in zip(steps.items(), (W1, b1, W2, b2), new):
            eps = EPS.get(after.dtype.char, EPS["d"])
            before, after = (sketch(before), sketch(after)) if name == "W1" else (before, after)
            got = (before - after) / learning_rate
            wrong, size = _norm(got - want), _norm(want)
            if wrong > 1e-3 * size + 20 * eps * _norm(after) / learning_rate:
                return {"parameter": name, "error": wrong / max(size, 1e-300), "update": _("SGD step")}
        return None
    return verify


EPS = {"f": float(np.finfo(np.float32).eps), "d": float(np.finfo(np.float64).eps)}


def _norm(a):
    flat = np.ravel(a).astype(np.float64, copy=False)
    return float(np.sqrt(flat @ flat))


def _samples(dataset, trainer):
    arrays = dataset["arrays"]
    return training.samples((arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"]), trainer,
                            (rng(10), rng(11)), CURVE_SAMPLE)


def _run(student, trainer, dataset, verify):
    s = dataset["schedule"]
    arrays = dataset["arrays"]
    return training.train(student, trainer.initial_params(s), trainer.batches(arrays["x_train"], arrays["y_train"], s),
                          steps=s["steps"], cpu_seconds=s["cpu_seconds"], names=s["parameters"], verify=verify,
                          snapshot_every=s["snapshot_every"], step_seconds=s["step_seconds"],
                          **trainer.step_kwargs(s))


def _reference_curve(reference, assignment, dataset, trainer, train, test):
    """The reference trained by the same harness in this (trusted) process, cached on disk."""
    s = dataset["schedule"]

    def compute():
        student = training.InProcess(reference, assignment.harness)
        run = _run(student, trainer, dict(dataset, schedule=dict(s, cpu_seconds=10 * s["cpu_seconds"])), None)
        return training.curve(run.snapshots, trainer, train, test)
    key = [json.dumps([s, assignment.config.get("dataset"), CURVE_SAMPLE], sort_keys=True),
           Path(reference.__file__).read_text(), Path(assignment.harness).read_text(), Path(trainer.__file__).read_text()]
    return training.cached(dataset["cache_folder"], f"{assignment.id}-reference-curve", key, compute)


@pytest.fixture(scope="module")
def trained(student, reference, dataset, assignment, artifacts):
    """Train in a sandbox process of its own; record the curves and ``artifacts["training"]``
    (steps, steps_done, completed, stopped, ms_per_step, test_accuracy: what feedback shows
    about the run); return that record."""
    s = dataset["schedule"]
    trainer = assignment.load_trainer()
    run = _run(student.own_process("training"), trainer, dataset,
               verify_step(s["learning_rate"], rng(12)))
    record = artifacts["training"] = training.record(run, s)
    train, test_sample, test = _samples(dataset, trainer)
    artifacts["test_accuracy"] = record["test_accuracy"] = trainer.accuracy(
        *(np.asarray(w, np.float64) for w in run.params), *test)
    if run.steps_done == 0:
        return record  # not one step taken: there is no curve to draw
    # Drawing the curves must never cost points: a failure there only leaves the plot out.
    try:
        yours = training.curve(run.snapshots, trainer, train, test_sample)
        ref = _reference_curve(reference, assignment, dataset, trainer, train, test_sample)
        artifacts["plots"] = training.plots({"yours": yours, "reference": ref}, CURVE_SAMPLE)
    except Exception as err:  # noqa: BLE001
        artifacts["plots_error"] = f"{type(err).__name__}: {err}"[:300]
    return record


# The accuracy depends on every function the student wrote, so it is scored as the
# network's, not train_step's: a softmax bug must not show up as a train_step bug. Every step
# runs the student's own helpers and must be the correct update, so a bug in train_step or in a
# helper it calls also costs these points (docs/rubric.md).
@check("network", "train_step trains the 784-50-10 network to 90% MNIST test accuracy", points=5, hidden=True)
def test_accuracy_lower_tier(trained, dataset):
    training.expect_tier(trained, dataset["schedule"]["accuracy_tiers"][0])


@check("network", "train_step trains the 784-50-10 network to 95% MNIST test accuracy", points=5, hidden=True)
def test_accuracy_upper_tier(trained, dataset):
    training.expect_tier(trained, dataset["schedule"]["accuracy_tiers"][1])
