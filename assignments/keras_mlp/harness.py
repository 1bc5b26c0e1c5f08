"""Runs inside the sandbox, next to the student's module: builds the student's model and drives it.

Public on purpose. The grader (the checks and trainer.py, on the trusted side) decides every
input and judges every answer; this side only calls the student's functions on what it is
sent and turns what they make into plain data: a model's layers and compile settings as
names and numbers, its weights and outputs as arrays. No model object ever leaves the
sandbox, and the grader never imports TensorFlow.

Checks of one function use the lesson's model wherever they need a model the student did not
have to write for it: compile_model's checks compile it, so a bug in build_model costs
build_model's points only. The checks send it as data (``lesson``: the layer sizes and
activations, and how the lesson compiles it, from assignment.toml's [lesson]), and
``lesson_model`` builds it: this file holds no answer.
"""
import numpy as np

from autograder.i18n import N_  # the grader translates these messages where it shows them

NOT_A_MODEL = N_("build_model did not return a Keras model: return the model it builds")
CLASSES = 10  # the digits: the categorical loss takes one-hot rows of this width
_run = {}  # the training run: the student's compiled model and how its labels are fed


def _keras():
    import keras  # on first use only: importing TensorFlow takes seconds
    return keras


def _as_model(value, message):
    if not isinstance(value, _keras().Model):
        raise TypeError(message)
    return value


def lesson_model(lesson):
    """A Sequential of Dense layers from plain data: ``lesson["layers"]`` (the input size, then each
    layer's units) and ``lesson["activations"]``."""
    keras = _keras()
    sizes = lesson["layers"]
    return keras.Sequential([keras.Input(shape=(sizes[0],)),
                             *(keras.layers.Dense(units, activation=activation)
                               for units, activation in zip(sizes[1:], lesson["activations"]))])


def _compiled(student, model):
    """``model`` after the student's compile_model, which may compile in place or return the model."""
    returned = student.compile_model(model)
    model = model if returned is None else _as_model(
        returned, N_("compile_model returned something that is not a Keras model: return the model, or nothing"))
    if not model.compiled:
        raise ValueError(N_("compile_model did not compile the model: call model.compile(...) in it"))
    return model


def _built(model, batch_shape):
    """Keras builds a model without an input shape on its first batch; so does the grader."""
    if not model.built:
        model.build((None, *batch_shape[1:]))
    return model


def _name(value):
    """An activation, loss or metric as a name: Keras's string, a function's or a class's name."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict):  # a serialized object: its class, or a function's name
        config = value.get("config")
        return config if isinstance(config, str) else value.get("class_name")
    return getattr(value, "__name__", type(value).__name__)


def _shape(shape):
    if isinstance(shape, list):  # a model with several inputs
        return [_shape(s) for s in shape]
    return [-1 if d is None else int(d) for d in shape] if shape is not None else None


def _plain_config(config):
    """A config's numbers, strings, booleans and None; nested objects by their name only."""
    out = {}
    for key, value in (config or {}).items():
        if value is None or isinstance(value, (bool, int, float, str)):
            out[key] = value
        else:
            out[key] = {"object": _name(value)}
    return out


def describe_model(model):
    """The model as plain data: its class, each layer's kind, units and activation, its shapes."""
    layers = []
    for layer in model.layers:
        config = layer.get_config()
        layers.append({"class": type(layer).__name__, "units": config.get("units"),
                       "activation": _name(getattr(layer, "activation", None)),
                       "use_bias": config.get("use_bias"),
                       "params": int(layer.count_params()) if layer.built else None})
    built = model.built
    return {"class": type(model).__name__, "built": built, "layers": layers,
            "input_shape": _shape(model.input_shape) if built else None,
            "output_shape": _shape(model.output_shape) if built else None,
            "params": int(model.count_params()) if built else None,
            "weight_shapes": [list(w.shape) for w in model.weights]}


def describe_compile(model):
    """The compile settings as plain data: the optimizer's class and config, the loss, the metrics."""
    optimizer = model.optimizer
    loss = model.loss
    config = loss.get_config() if hasattr(loss, "get_config") else {}
    return {"optimizer": {"class": type(optimizer).__name__, "config": _plain_config(optimizer.get_config())},
            "loss": {"name": _name(config.get("name") if config.get("name") else loss), "class": type(loss).__name__,
                     "config": _plain_config(config)},
            "metrics": [_name(m) for m in _metrics(model)]}


def _metrics(model):
    config = model.get_compile_config() or {}
    metrics = config.get("metrics") or []
    return metrics if isinstance(metrics, list) else [metrics]


def _encoder(model):
    """How labels are fed to ``model``: as integers for a sparse loss, as one-hot rows for the
    categorical loss, which expects them (both are the lesson's loss, spelled two ways)."""
    name = describe_compile(model)["loss"]["name"] or ""
    if "categorical_crossentropy" in name and "sparse" not in name:
        return lambda labels: np.eye(CLASSES, dtype=np.float32)[np.asarray(labels, dtype=np.int64)]
    return lambda labels: labels


# -- what the checks call ----------------------------------------------------------------
def architecture(student):
    """What build_model builds, described."""
    return describe_model(_as_model(student.build_model(), NOT_A_MODEL))


def outputs(student, weights, x):
    """The student's model's outputs on ``x`` with the grader's ``weights``."""
    model = _built(_as_model(student.build_model(), NOT_A_MODEL), np.shape(x))
    model.set_weights(weights)
    return np.asarray(model(x, training=False))


def compile_settings(student, lesson):
    """The lesson's model compiled by the student's compile_model, described."""
    return describe_compile(_compiled(student, lesson_model(lesson)))


def compile_steps(student, lesson, weights, xs, labels):
    """The lesson's model, compiled by the student's compile_model, trained one batch at a time
    from ``weights``: the weights after every step."""
    model = _compiled(student, lesson_model(lesson))
    model.set_weights(weights)
    encode, after = _encoder(model), []
    for x, y in zip(xs, labels):
        model.train_on_batch(x, encode(y))
        after.append(model.get_weights())
    return after


def fit(student, lesson, x, y):
    """The student's train on the lesson's model, compiled by their compile_model (or, if that
    fails, as the lesson compiles it): the history it returned and whether it trained the model."""
    try:
        model, compiled_by = _compiled(student, lesson_model(lesson)), "student"
    except Exception:  # noqa: BLE001  compile_model's own checks say what is wrong with it
        model, compiled_by = lesson_model(lesson), "lesson"
        model.compile(**lesson["compile"])
    before = model.get_weights()
    returned = student.train(model, x, y)
    history = getattr(returned, "history", returned)
    changed = any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    return {"history": history if isinstance(history, dict) else {"returned": type(returned).__name__},
            "returned": type(returned).__name__, "changed": changed, "compiled_by": compiled_by,
            "loss": describe_compile(model)["loss"]["name"]}


def step(student, images, labels, params=None):
    """One training step of the student's model on a raw batch; ``params`` (the first step only)
    are the weights to start from. The model is the student's build_model, compiled by their
    compile_model; the images go through their preprocess. Returns the weights and the loss."""
    if params is not None:
        model = _compiled(student, _as_model(student.build_model(), NOT_A_MODEL))
        _run.update(model=model, encode=_encoder(model), ready=False)
    model = _run["model"]
    x = student.preprocess(images)
    if not _run["ready"]:
        _built(model, np.shape(x)).set_weights(params)
        _run["ready"] = True
    loss = model.train_on_batch(x, _run["encode"](labels))
    loss = loss[0] if isinstance(loss, (list, tuple)) else loss
    return (*model.get_weights(), float(loss))
