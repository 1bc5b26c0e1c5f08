"""The trusted side's training driver (autograder/training.py) and the hidden checks' verdict on a step.

The driver is tested with a stand-in student (no sandbox): it shows that the trusted side
picks every batch, keeps the weights, and ends the run on what it measured itself. The
verdict is tested on the reference's own steps and on wrong ones.
"""
import time

import numpy as np
import pytest

from autograder import training
from autograder.assignment import load_module
from autograder.assignment import resolve as resolve_assignment
from kit import ROOT

ASSIGNMENT = resolve_assignment("mnist_mlp")
SCHEDULE = ASSIGNMENT.config["schedule"]
HIDDEN = load_module(ROOT / "solutions" / "mnist_mlp" / "tests" / "test_hidden.py", "hidden_checks")


class Student:
    """Runs ``step(params, batch) -> new params`` as the harness would, and reports made-up clocks."""

    def __init__(self, step, cpu_per_step=0.001, idle_per_step=0.0):
        self.step, self.cpu_per_step, self.idle_per_step = step, cpu_per_step, idle_per_step
        self.calls, self.params, self.cpu = [], None, 0.0

    def harness(self, name, images, labels, learning_rate, params=None, timeout=None):
        self.calls.append((name, images, labels, learning_rate, params is not None))
        if params is not None:
            self.params = params
        self.cpu += self.cpu_per_step
        time.sleep(self.idle_per_step)
        self.params = self.step(self.params, (images, labels))
        return (*self.params, 0.5)

    def times(self):
        return self.cpu, 0.0


def _batches():
    step = 0
    while True:
        yield np.full((2, 3), step % 256, dtype=np.uint8), np.array([step, step])
        step += 1


def _train(student, steps=40, **options):
    options = {"cpu_seconds": 100.0, "verify": None, **options}
    return training.train(student, [np.zeros((3, 2)), np.zeros(2)], _batches(), steps=steps, names=["W", "b"],
                          learning_rate=0.5, **options)


def unchanged(params, batch):
    return [p.copy() for p in params]


def test_the_trusted_side_picks_every_batch_and_sends_the_weights_once():
    student = Student(unchanged)
    run = _train(student)
    assert run.completed and run.steps_done == 40
    assert [int(images[0, 0]) for _name, images, _labels, _lr, _sent in student.calls] == list(range(40))
    assert [sent for *_rest, sent in student.calls] == [True] + [False] * 39
    assert {lr for _name, _images, _labels, lr, _sent in student.calls} == {0.5}


def test_the_weights_kept_are_those_accepted_and_a_snapshot_every_n_steps():
    run = _train(Student(lambda params, batch: [p + 1 for p in params]), snapshot_every=10)
    assert [done for done, _weights in run.snapshots] == [0, 10, 20, 30, 40]
    assert run.snapshots[2][1][0][0, 0] == 20 and run.params[0][0, 0] == 40


def test_a_wrong_update_ends_the_run_at_its_step():
    def verify(batch, old, new):
        return {"parameter": "W", "error": 2.0, "update": "SGD step"} if int(batch[0][0, 0]) == 7 else None
    run = _train(Student(unchanged), verify=verify)
    assert not run.completed and run.steps_done == 7 and run.stop.kind == "wrong_update"
    text = training.describe(run.stop, 40, "train_step")
    assert text.startswith("at step 7, train_step's update of W is not the SGD step"), text


@pytest.mark.parametrize("step, kind", [
    (lambda params, batch: [params[0]], "bad_return"),
    (lambda params, batch: [params[0].T, params[1]], "bad_return"),
    (lambda params, batch: [params[0] * np.nan, params[1]], "nonfinite"),
])
def test_what_comes_back_is_checked_before_it_is_kept(step, kind):
    run = _train(Student(step))
    assert run.stop.kind == kind and run.steps_done == 0 and run.params[0].shape == (3, 2)


def test_too_slow_is_measured_by_the_trusted_side_and_says_how_slow():
    # 0.2 s a step against a budget of 1.8 s for 30 steps (0.06 s a step): clearly too slow.
    run = _train(Student(unchanged, cpu_per_step=0.2), steps=3000, cpu_seconds=180.0)
    assert run.stop.kind == "too_slow" and run.steps_done == training.WARM_UP + training.MEASURED
    text = training.describe(run.stop, 3000, "train_step")
    assert "200.0 ms of CPU time per step" in text and "the limit is 60.0 ms per step" in text, text


def test_a_close_case_runs_until_it_has_spent_the_budget():
    run = _train(Student(unchanged, cpu_per_step=0.07), steps=3000, cpu_seconds=180.0)
    assert run.stop.kind == "too_slow" and run.cpu_seconds > 180.0 and run.steps_done > 2500


def test_sleeping_is_not_free():
    run = _train(Student(unchanged, cpu_per_step=0.0, idle_per_step=0.02), steps=3000, cpu_seconds=0.3)
    assert run.stop.kind == "idle" and run.steps_done == 20 and run.idle_seconds > 0.1


# -- the hidden checks' verdict on one step ------------------------------------------------
def _steps(module, count=5, dtype=np.float64):
    """(batch, old, new) for the first ``count`` steps of ``module``'s train_step on MNIST."""
    from autograder import data
    trainer = ASSIGNMENT.load_trainer()
    arrays = data.load(ASSIGNMENT.config["dataset"], ["x_train", "y_train"])
    params = [p.astype(dtype) for p in trainer.initial_params(SCHEDULE)]
    out = []
    for _step, batch in zip(range(count), trainer.batches(arrays["x_train"], arrays["y_train"], SCHEDULE)):
        new = list(module.train_step(trainer.inputs(batch[0]).astype(dtype), batch[1], *params,
                                     SCHEDULE["learning_rate"])[:4])
        out.append((batch, params, new))
        params = new
    return out


@pytest.mark.parametrize("style", ["solutions/mnist_mlp/mnist_mlp.py", "tests/submissions/styles/float32.py",
                                   "tests/submissions/styles/textbook_keepdims.py"])
def test_correct_steps_are_accepted(style):
    verify = HIDDEN.verify_step(SCHEDULE["learning_rate"], np.random.default_rng(0))
    for batch, old, new in _steps(load_module(ROOT / style, "style")):
        assert verify(batch, old, new) is None


@pytest.mark.parametrize("change, parameter", [
    (lambda new, old: [new[0] + 1e-3 * (new[0] - old[0]) * 5, *new[1:]], "W1"),  # a 0.5% error in W1's step
    (lambda new, old: [new[0], new[1], new[2], old[3]], "b2"),  # b2 forgotten
    (lambda new, old: [new[0], (new[1] + old[1]) / 2, new[2], new[3]], "b1"),  # half of b1's step
    (lambda new, old: [np.roll(new[0], 1, axis=0), *new[1:]], "W1"),  # weights from elsewhere
])
def test_wrong_steps_are_refused(change, parameter):
    verify = HIDDEN.verify_step(SCHEDULE["learning_rate"], np.random.default_rng(0))
    reference = ASSIGNMENT.load_reference()
    batch, old, new = _steps(reference, count=1)[0]
    wrong = verify(batch, old, change(new, old))
    assert wrong is not None and wrong["parameter"] == parameter
