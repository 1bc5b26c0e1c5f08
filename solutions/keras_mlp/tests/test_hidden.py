"""Hidden checks for keras_mlp: never shipped to students, never shown in detail.

They run the student's functions on inputs the student never sees and train the student's
model on MNIST, scoring it on the test set in the trusted process. Nothing here imports
TensorFlow: every expected value comes from the lesson's network and Keras's Adam written
again in NumPy (``Adam`` and ``gradients`` below), which the training run's verification
uses too.
"""
import json
from pathlib import Path

import numpy as np
import pytest

from autograder import training
from autograder.checks import as_array, check, expect_close, fail
from autograder.i18n import _

SALT = 24680
CLASSES = 10


def rng(salt):
    return np.random.default_rng([SALT, salt])


# -- the lesson's training step, in NumPy ---------------------------------------------------
def forward(params, x):
    """(hidden activations, class probabilities) of the lesson's network, in float64."""
    W1, b1, W2, b2 = (np.asarray(p, np.float64) for p in params)
    hidden = 1.0 / (1.0 + np.exp(-np.clip(np.asarray(x, np.float64) @ W1 + b1, -500, 500)))
    logits = hidden @ W2 + b2
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    return hidden, probs / probs.sum(axis=1, keepdims=True)


CLIP = 1e-7  # keras.backend.epsilon(): how far from 0 and 1 Keras clips probabilities


def gradients(params, x, labels):
    """The gradient of the mean cross-entropy of integer ``labels`` for each parameter, each way
    Keras may compute it: first from the softmax's logits, as Keras 3 does for a model that ends
    in a softmax (graph and eager mode alike: measured); then, only if a label's probability lies
    beyond [1e-7, 1 - 1e-7], from probabilities clipped to that range, where such a sample
    contributes no gradient (Keras's way for an output it does not know to be a softmax's).
    ``params`` and ``x`` in float64."""
    hidden, probs = forward(params, x)
    rows = np.arange(len(labels))
    clipped = (probs[rows, labels] <= CLIP) | (probs[rows, labels] >= 1 - CLIP)
    dlogits = probs
    dlogits[rows, labels] -= 1.0
    dlogits /= len(labels)

    def backward(d):
        dhidden = (d @ params[2].T) * hidden * (1.0 - hidden)
        return [x.T @ dhidden, dhidden.sum(axis=0), hidden.T @ d, d.sum(axis=0)]
    yield backward(dlogits)
    if clipped.any():
        dlogits[clipped] = 0.0
        yield backward(dlogits)


class Adam:
    """Keras 3's Adam (keras/src/optimizers/adam.py) with the lesson's settings, its state
    (moments and step count) kept here, from the steps the grader accepted."""
    learning_rate, beta_1, beta_2, epsilon = 0.001, 0.9, 0.999, 1e-7

    def __init__(self):
        self.m, self.v, self.t = None, None, 0

    def step(self, params, grads):
        """(the parameters after one step, the state it leaves); the state is not kept here."""
        t = self.t + 1
        m = self.m or [np.zeros_like(g) for g in grads]
        v = self.v or [np.zeros_like(g) for g in grads]
        m = [mi + (g - mi) * (1 - self.beta_1) for mi, g in zip(m, grads)]
        v = [vi + (g * g - vi) * (1 - self.beta_2) for vi, g in zip(v, grads)]
        alpha = self.learning_rate * np.sqrt(1 - self.beta_2 ** t) / (1 - self.beta_1 ** t)
        new = [np.asarray(p, np.float64) - alpha * mi / (np.sqrt(vi) + self.epsilon) for p, mi, vi in zip(params, m, v)]
        return new, (m, v, t)

    def keep(self, state):
        self.m, self.v, self.t = state


# An update is Adam's when it is within TOLERANCE of the one computed here (relative, over each
# parameter), plus the rounding of float32 weights. TensorFlow computes in float32 and here in
# float64: the correct styles measured 2.3e-5 at most over 300 steps and 9.5e-5 over the graded
# epoch, 3.6e-4 with saturated probabilities; at their first step, SGD measured 0.97, Adagrad 0.99,
# RMSprop 2.2, Adam at ten times the rate 9.0, a relu hidden layer 1.1, and the clipped way of
# computing the loss where it differs from the logits' 0.33 (tests/test_keras_verification.py).
TOLERANCE = 1e-2
FLOAT32 = float(np.finfo(np.float32).eps)


def _norm(a):
    flat = np.ravel(a).astype(np.float64, copy=False)
    return float(np.sqrt(flat @ flat))


def _worst(old, new, want, names):
    """(name, relative error) of the parameter whose update is furthest from ``want``'s, if any is too
    far; ``old`` and ``want`` in float64."""
    worst = None
    for name, before, after, expected in zip(names, old, new, want):
        got, wanted = before - np.asarray(after, np.float64), before - expected
        wrong, size = _norm(got - wanted), _norm(wanted)
        if wrong > TOLERANCE * size + 20 * FLOAT32 * _norm(after):
            error = wrong / max(size, 1e-300)
            worst = max(worst or (name, error), (name, error), key=lambda w: w[1])
    return worst


def verify_adam(names, inputs):
    """``verify(batch, old, new)`` for training.train: None if ``new`` is Keras's Adam step of ``old``
    on the batch (raw images, made into the network's input by ``inputs``, and integer labels)."""
    adam = Adam()

    def verify(batch, old, new):
        images, labels = batch
        old = [np.asarray(p, np.float64) for p in old]
        worst = None
        for grads in gradients(old, np.asarray(inputs(images), np.float64), labels):
            want, state = adam.step(old, grads)
            worst = _worst(old, new, want, names)
            if worst is None:
                adam.keep(state)
                return None
        return {"parameter": worst[0], "error": worst[1], "update": _("Adam step")}
    return verify


# -- preprocess ----------------------------------------------------------------------------
@check("preprocess", "matches the lesson's scaling on another batch", points=3, hidden=True)
def test_preprocess_reference(student):
    images = rng(1).integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
    received = as_array(student.preprocess(images), _("preprocess of a batch of 7 images"), (7, 784))
    expect_close(received, images.reshape(7, 784) / 255.0, _("preprocess of a batch of 7 images"))


# -- build_model ---------------------------------------------------------------------------
def random_params(r):
    return [r.uniform(-0.3, 0.3, (784, 50)).astype(np.float32), r.normal(0, 0.1, 50).astype(np.float32),
            r.uniform(-0.3, 0.3, (50, CLASSES)).astype(np.float32), r.normal(0, 0.1, CLASSES).astype(np.float32)]


@check("build_model", "computes the lesson's network on the grader's weights", points=8, hidden=True)
def test_build_model_computes_the_network(student):
    r = rng(2)
    params, x = random_params(r), r.random((9, 784), dtype=np.float32)
    received = student.harness("outputs", params, x)
    expect_close(received, forward(params, x)[1], _("the model's outputs on 9 inputs"), rtol=1e-5)


# -- compile_model -------------------------------------------------------------------------
@check("compile_model", "trains the lesson's model with Adam, step by step", points=7, hidden=True)
def test_compile_model_steps(student, assignment):
    r = rng(3)
    params = random_params(r)
    xs = [r.random((16, 784), dtype=np.float32) for _ in range(3)]
    labels = [r.integers(0, CLASSES, size=16) for _ in range(3)]
    lesson = {"layers": assignment.config["schedule"]["layers"], **assignment.config["lesson"]}
    after = student.harness("compile_steps", lesson, params, xs, labels)
    if not isinstance(after, list) or len(after) != 3:
        fail(_("the grader could not read the weights after three training steps"))
    verify = verify_adam(["W1", "b1", "W2", "b2"], lambda x: x)
    old = params
    for number, (x, y, new) in enumerate(zip(xs, labels, after), 1):
        new = [as_array(w, _("the weights after step {number}").format(number=number), p.shape)
               for w, p in zip(new, params)]
        wrong = verify((x, y), old, new)
        if wrong:
            fail(_("step {number}: the update of {parameter} is not the lesson's Adam step (relative error "
                   "{error:.2g})").format(number=number, parameter=wrong["parameter"], error=wrong["error"]))
        old = new


# -- the network, trained by the grader, scored on the test set here -----------------------
# The trusted side drives the run (autograder/training.py): trainer.py picks the initial
# weights and every batch, the harness runs one train_on_batch of the student's compiled model
# per batch (on the student's preprocess of the raw images), and ``verify_adam`` accepts a step
# only if it is the Adam update of the weights the grader kept, for the grader's batch. So the
# weights scored here are those of correct training by construction: pre-trained weights, a
# training loop of the student's own or another optimizer end the run at the step they appear.
CURVE_SAMPLE = 2000


def _samples(dataset, trainer):
    arrays = dataset["arrays"]
    return training.samples((arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"]), trainer,
                            (rng(10), rng(11)), CURVE_SAMPLE)


def _reference_curve(assignment, dataset, trainer, train, test):
    """The lesson's model trained on the same schedule by the NumPy Adam above (no TensorFlow
    here), cached on disk: every grade draws it, the first computes it."""
    s, arrays = dataset["schedule"], dataset["arrays"]

    def compute():
        params, adam, snapshots = trainer.initial_params(s), Adam(), []
        snapshots.append((0, params))
        for step, (images, labels) in zip(range(1, s["steps"] + 1),
                                          trainer.batches(arrays["x_train"], arrays["y_train"], s)):
            params, state = adam.step(params, next(gradients([np.asarray(p, np.float64) for p in params],
                                                             trainer.inputs(images), labels)))
            adam.keep(state)
            if step % s["snapshot_every"] == 0:
                snapshots.append((step, params))
        return training.curve(snapshots, trainer, train, test)
    key = [json.dumps([s, assignment.config.get("dataset"), CURVE_SAMPLE], sort_keys=True),
           Path(__file__).read_text(), Path(trainer.__file__).read_text()]
    return training.cached(dataset["cache_folder"], f"{assignment.id}-reference-curve", key, compute)


@pytest.fixture(scope="module")
def trained(student, dataset, assignment, artifacts):
    """Train in a sandbox process of its own; record the curves and ``artifacts["training"]``."""
    s, arrays = dataset["schedule"], dataset["arrays"]
    trainer = assignment.load_trainer()
    run = training.train(student.own_process("training"), trainer.initial_params(s),
                         trainer.batches(arrays["x_train"], arrays["y_train"], s), steps=s["steps"],
                         cpu_seconds=s["cpu_seconds"], names=s["parameters"],
                         verify=verify_adam(s["parameters"], trainer.inputs), snapshot_every=s["snapshot_every"],
                         step_seconds=s["step_seconds"], **trainer.step_kwargs(s))
    record = artifacts["training"] = training.record(run, s)
    train, test_sample, test = _samples(dataset, trainer)
    artifacts["test_accuracy"] = record["test_accuracy"] = trainer.accuracy(
        *(np.asarray(w, np.float64) for w in run.params), *test)
    if run.steps_done == 0:
        return record
    try:  # drawing the curves must never cost points: a failure only leaves the plot out
        curves = {"yours": training.curve(run.snapshots, trainer, train, test_sample),
                  "reference": _reference_curve(assignment, dataset, trainer, train, test_sample)}
        artifacts["plots"] = training.plots(curves, CURVE_SAMPLE)
    except Exception as err:  # noqa: BLE001
        artifacts["plots_error"] = f"{type(err).__name__}: {err}"[:300]
    return record


# The accuracy depends on preprocess, build_model and compile_model together, so it is scored as
# the network's: every step runs the student's own functions and must be the correct update, so a
# bug in any of them also costs these points.
@check("network", "the model, trained by the grader for one epoch, reaches 85% MNIST test accuracy", points=15,
       hidden=True)
def test_accuracy_lower_tier(trained, dataset):
    training.expect_tier(trained, dataset["schedule"]["accuracy_tiers"][0])


@check("network", "the model, trained by the grader for one epoch, reaches 90% MNIST test accuracy", points=15,
       hidden=True)
def test_accuracy_upper_tier(trained, dataset):
    training.expect_tier(trained, dataset["schedule"]["accuracy_tiers"][1])
