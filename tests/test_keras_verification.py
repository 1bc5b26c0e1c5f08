"""keras_mlp's verification of every training step (solutions/keras_mlp/tests/test_hidden.py):
TensorFlow's steps in every correct style agree with the NumPy replica of Keras's Adam far inside
the tolerance, and every wrong update is far outside it.

Runs the grader's schedule in this process (trusted code and the zoo's own styles only), under
the sandbox's TensorFlow settings. Prints the measured errors: the figures quoted in
test_hidden.py and assignment.toml.
"""
import os

import numpy as np
import pytest

from autograder import assignment as assignments
from autograder import data, training
from autograder.assignment import load_module
from kit import ROOT

pytestmark = pytest.mark.slow
ASSIGNMENT = assignments.resolve("keras_mlp")
SCHEDULE = ASSIGNMENT.config["schedule"]
HIDDEN = load_module(ASSIGNMENT.hidden_tests / "test_hidden.py", "keras_hidden_checks")
STYLES = ROOT / "tests" / "submissions" / "keras_mlp" / "styles"
STEPS = 300


@pytest.fixture(scope="module")
def keras():
    os.environ.update(ASSIGNMENT.sandbox_env)  # before TensorFlow is imported: one thread, no oneDNN
    import keras
    return keras


@pytest.fixture(scope="module")
def mnist():
    return data.load(ASSIGNMENT.config["dataset"], ["x_train", "y_train"])


def measured(verify, errors):
    """``verify``, recording each accepted step's largest relative error against the replica."""
    trainer = ASSIGNMENT.load_trainer()
    adam = HIDDEN.Adam()

    def recording(batch, old, new):
        old64 = [np.asarray(p, np.float64) for p in old]
        want, state = adam.step(old64, next(HIDDEN.gradients(old64, trainer.inputs(batch[0]), batch[1])))
        errors.append(max(HIDDEN._norm((o - np.asarray(n, np.float64)) - (o - w)) / HIDDEN._norm(o - w)
                          for o, n, w in zip(old64, new, want)))
        adam.keep(state)
        return verify(batch, old, new)
    return recording


def run(module, mnist, steps=STEPS, params=None, verify=True, errors=None):
    trainer = ASSIGNMENT.load_trainer()
    check = HIDDEN.verify_adam(SCHEDULE["parameters"], trainer.inputs) if verify else None
    if errors is not None:
        check = measured(check, errors)
    return training.train(training.InProcess(module, ASSIGNMENT.harness), params or trainer.initial_params(SCHEDULE),
                          trainer.batches(mnist["x_train"], mnist["y_train"], SCHEDULE), steps=steps,
                          cpu_seconds=1e4, names=SCHEDULE["parameters"], verify=check)


@pytest.mark.parametrize("style", [ASSIGNMENT.reference_path, STYLES / "functional_categorical.py",
                                   STYLES / "model_add_tf_keras.py"], ids=lambda p: p.stem)
def test_correct_styles_agree_with_the_replica_far_inside_the_tolerance(keras, mnist, style):
    errors = []
    result = run(load_module(style, "style"), mnist, errors=errors)
    print(f"{style.stem}: largest relative error over {STEPS} steps {max(errors):.2e}")
    assert result.completed, result.stop
    assert max(errors) < HIDDEN.TOLERANCE / 10


def test_saturated_probabilities_are_still_accepted(keras, mnist):
    """Weights 40 times Keras's: some probabilities of a label reach 1e-7 or 1 - 1e-7, where Keras's
    loss from the softmax's logits and from clipped probabilities part."""
    trainer = ASSIGNMENT.load_trainer()
    hot = [40 * p for p in trainer.initial_params(SCHEDULE)]
    first = next(trainer.batches(mnist["x_train"], mnist["y_train"], SCHEDULE))
    ways = list(HIDDEN.gradients([np.asarray(p, np.float64) for p in hot], trainer.inputs(first[0]), first[1]))
    assert len(ways) == 2  # some probability is clipped: the two ways differ here
    errors = []
    result = run(ASSIGNMENT.load_reference(), mnist, steps=100, params=hot, errors=errors)
    print(f"saturated: largest relative error over 100 steps {max(errors):.2e}")
    assert result.completed, result.stop
    assert max(errors) < HIDDEN.TOLERANCE / 10


def _compiled_with(keras, **settings):
    lesson = ASSIGNMENT.load_reference()

    def compile_model(model):
        model.compile(**{"optimizer": "adam", "loss": "sparse_categorical_crossentropy", **settings})
    return type("Student", (), {"preprocess": staticmethod(lesson.preprocess), "build_model": staticmethod(
        lesson.build_model), "compile_model": staticmethod(compile_model)})


@pytest.mark.parametrize("name, settings", [
    ("plain SGD", {"optimizer": "sgd"}),
    ("Adam at 10 times the rate", {"optimizer": "adam_fast"}),
    ("RMSprop", {"optimizer": "rmsprop"}),
    ("Adagrad", {"optimizer": "adagrad"}),
])
def test_another_optimizer_or_loss_is_refused_at_once(keras, mnist, name, settings):
    if settings.get("optimizer") == "adam_fast":
        settings = {"optimizer": keras.optimizers.Adam(learning_rate=0.01)}
    errors = []
    result = run(_compiled_with(keras, **settings), mnist, steps=5, errors=errors)
    assert result.stop is not None and result.steps_done <= 1, result.stop
    if result.stop.kind == "error":  # Keras itself refused it: nothing came back to compare
        print(f"{name}: {result.stop.detail}")
        return
    print(f"{name}: relative error {errors[-1]:.2f} at step {result.steps_done}")
    assert result.stop.kind == "wrong_update" and errors[-1] > 10 * HIDDEN.TOLERANCE


def test_embedded_weights_are_refused_at_the_first_step(keras, mnist):
    verify = HIDDEN.verify_adam(SCHEDULE["parameters"], ASSIGNMENT.load_trainer().inputs)
    trainer = ASSIGNMENT.load_trainer()
    batch = next(trainer.batches(mnist["x_train"], mnist["y_train"], SCHEDULE))
    start = trainer.initial_params(SCHEDULE)
    elsewhere = [p + np.float32(0.01) * np.sign(p + 0.5) for p in trainer.initial_params(dict(SCHEDULE, seed=7))]
    assert verify(batch, start, elsewhere)["update"] == "Adam step"
    start64 = [np.asarray(p, np.float64) for p in start]
    right, _state = HIDDEN.Adam().step(start64, next(HIDDEN.gradients(start64, trainer.inputs(batch[0]), batch[1])))
    assert verify(batch, start, [w.astype(np.float32) for w in right]) is None
