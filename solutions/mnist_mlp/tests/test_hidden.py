"""Hidden checks for mnist_mlp: never shipped to students, never shown in detail.

They compare with the instructor's reference on randomized inputs and train the
student's network on MNIST, scoring it on the test set in the trusted process.
"""
import fcntl
import hashlib
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import CheckFailed, as_array, as_float, check, expect_close, fail
from autograder.i18n import _
from autograder.report import atomic_write

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
# The sandbox holds only the training split, shuffled by the course's secret permutation
# (autograder/permutation.py); ``dataset["arrays"]`` holds the test split shuffled the same
# way. Weights that were not trained on the grader's copy score at chance, so the sandbox's
# answers (which student code could forge) matter only through the accuracy computed here.
# Each point of the curves is computed here, from the returned weights, on a fixed sample:
# training images for the loss, test images for the accuracy (the final accuracy, the one
# graded, uses the whole test split). A sample keeps the eleven points at a tenth of a second.
CURVE_SAMPLE = 2000


def _initial_params(s):
    r = np.random.default_rng(s["seed"])
    sizes = s["layers"]
    return [s["weight_init_std"] * r.standard_normal((sizes[0], sizes[1])), np.zeros(sizes[1]),
            s["weight_init_std"] * r.standard_normal((sizes[1], sizes[2])), np.zeros(sizes[2])]


def _splits(dataset):
    """(training sample, test sample, test split) as the network sees them: flat pixels in [0, 1]."""
    folder = Path(dataset["sandbox_folder"])
    images = np.load(folder / "x_train.npy", mmap_mode="r")
    pick = np.sort(rng(10).choice(len(images), CURVE_SAMPLE, replace=False))
    train = (images[pick].reshape(CURVE_SAMPLE, -1) / 255.0, np.load(folder / "y_train.npy")[pick])
    x_test = dataset["arrays"]["x_test"]
    test = (x_test.reshape(len(x_test), -1) / 255.0, dataset["arrays"]["y_test"])
    pick = np.sort(rng(11).choice(len(x_test), CURVE_SAMPLE, replace=False))
    return train, (test[0][pick], test[1][pick]), test


def _weights(values, params, what):
    return [as_array(w, what, q.shape) for w, q in zip(values, params)]


def _curve(snapshots, params, reference, train, test):
    """Training loss and test accuracy at step 0 and at every snapshot, on the samples
    ``train`` and ``test``, computed here from the weights that came back (never from the
    loss student code reports)."""
    steps, losses, accuracies = [], [], []
    for done, weights in [(0, params)] + [(snap[0], snap[1:]) for snap in snapshots]:
        try:
            weights = _weights(weights, params, _("snapshot"))
            loss = float(reference.cross_entropy_error(reference.predict(*weights, train[0]), train[1]))
            steps.append(int(done))
        except (CheckFailed, TypeError, ValueError, IndexError):
            continue  # a malformed snapshot only leaves a gap in the curve
        losses.append(loss if np.isfinite(loss) else None)
        accuracies.append(reference.accuracy(*weights, *test))
    return {"loss": (steps, losses), "accuracy": (steps, accuracies)}


def _train_in_sandbox(student, dataset, params):
    s = dataset["schedule"]
    return student.harness("train", dataset["sandbox_folder"], *params, steps=s["steps"],
                           batch_size=s["batch_size"], learning_rate=s["learning_rate"], seed=s["seed"],
                           log_every=s["log_every"], seconds=s["seconds"], snapshot_every=s["snapshot_every"],
                           report=True, timeout=s["seconds"] + 10)


def _reference_curve(reference, assignment, dataset, train, test):
    """The reference trained by the same harness in this (trusted) process, cached on disk."""
    s = dataset["schedule"]
    inputs = [json.dumps([s, assignment.config.get("dataset"), CURVE_SAMPLE], sort_keys=True), dataset["sandbox_folder"],
              Path(reference.__file__).read_text(), Path(assignment.harness).read_text()]
    key = hashlib.sha256("\n".join(inputs).encode()).hexdigest()[:16]
    cache = Path(dataset["cache_folder"])
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"{assignment.id}-reference-curve-{key}.json"
    with open(cache / f"{assignment.id}-reference-curve.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel workers: the first computes, the others read
        if path.is_file():
            return json.loads(path.read_text())
        spec = importlib.util.spec_from_file_location("harness", assignment.harness)
        harness = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(harness)
        params = _initial_params(s)
        out = harness.train(reference, dataset["sandbox_folder"], *params, steps=s["steps"],
                            batch_size=s["batch_size"], learning_rate=s["learning_rate"], seed=s["seed"],
                            log_every=s["log_every"], seconds=10 * s["seconds"],
                            snapshot_every=s["snapshot_every"])
        atomic_write(path, json.dumps(_curve(out[5], params, reference, train, test)))
        return json.loads(path.read_text())


@pytest.fixture(scope="module")
def trained(student, reference, dataset, assignment, artifacts):
    """Train in the sandbox; record the curves and ``artifacts["training"]`` (steps, steps_done,
    completed, stopped, test_accuracy: what feedback shows about the run); return that record."""
    s = dataset["schedule"]
    params = _initial_params(s)
    record = artifacts["training"] = {"steps": s["steps"], "steps_done": 0, "completed": False,
                                      "stopped": "", "test_accuracy": None}
    try:
        out = _train_in_sandbox(student, dataset, params)
    except Exception as err:  # a crash or hang the harness could not catch: no weights came back
        record["stopped"] = _("training stopped: {reason}").format(reason=err)[:300]
        raise
    if not isinstance(out, (list, tuple)) or len(out) != 7 or not isinstance(out[6], dict):
        record["stopped"] = _("the training run returned something other than what the grader's harness returns")
        fail(record["stopped"])
    outcome = out[6]
    steps_done = outcome.get("steps_done")
    record["steps_done"] = steps_done if isinstance(steps_done, int) and 0 <= steps_done <= s["steps"] else 0
    record["stopped"] = str(outcome.get("stopped") or "")[:300]
    record["completed"] = record["steps_done"] == s["steps"] and not record["stopped"]
    train, test_sample, test = _splits(dataset)
    accuracy = reference.accuracy(*_weights(out[:4], params, _("trained weights")), *test)
    # Recorded for the instructor's class summary and the student's feedback; drawing
    # the curves must never cost points, so a failure there only leaves the plot out.
    artifacts["test_accuracy"] = record["test_accuracy"] = accuracy
    if record["steps_done"] == 0:
        return record  # not one step taken: there is no curve to draw
    try:
        snapshots = [snap for snap in out[5] if isinstance(snap, (list, tuple)) and len(snap) == 5]
        yours = _curve(snapshots, params, reference, train, test_sample)
        ref = _reference_curve(reference, assignment, dataset, train, test_sample)
        percent = {"loss": 1, "accuracy": 100}  # accuracy is read in %, like everywhere else
        artifacts["plots"] = [
            {"title": title, "xlabel": _("training step"), "ylabel": ylabel,
             "series": {name: {"x": curve[key][0], "y": [percent[key] * v for v in curve[key][1]]}
                        for name, curve in (("yours", yours), ("reference", ref))}}
            for key, title, ylabel in (
                ("loss", _("Training loss ({count:,} training images)").format(count=CURVE_SAMPLE), _("cross-entropy")),
                ("accuracy", _("Test accuracy ({count:,} test images)").format(count=CURVE_SAMPLE),
                 _("test accuracy (%)")))]
    except Exception as err:  # noqa: BLE001
        artifacts["plots_error"] = f"{type(err).__name__}: {err}"[:300]
    return record


def _tier(trained, dataset, index):
    tier = dataset["schedule"]["accuracy_tiers"][index]
    accuracy = trained["test_accuracy"]
    if not trained["completed"]:  # a run cut short must not earn points by luck of where it stopped
        fail(_("training stopped after {done} of {steps} steps ({reason}); only a completed training run earns "
               "these points (the weights reached score {accuracy:.2%} test accuracy)").format(
            done=trained["steps_done"], steps=trained["steps"], reason=trained["stopped"], accuracy=accuracy))
    if not accuracy >= tier:
        fail(_("test accuracy {accuracy:.2%} after the grader's training run; at least {tier:.0%} earns these points")
             .format(accuracy=accuracy, tier=tier))


# The accuracy depends on every function the student wrote, so it is scored as the
# network's, not train_step's: a softmax bug must not show up as a train_step bug.
@check("network", "train_step trains the 784-50-10 network to 90% MNIST test accuracy", points=5, hidden=True)
def test_accuracy_lower_tier(trained, dataset):
    _tier(trained, dataset, 0)


@check("network", "train_step trains the 784-50-10 network to 95% MNIST test accuracy", points=5, hidden=True)
def test_accuracy_upper_tier(trained, dataset):
    _tier(trained, dataset, 1)
