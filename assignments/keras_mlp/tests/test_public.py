"""Public checks for keras_mlp: students run these with `python -m autograder check`.

Each check asks the sandbox's harness (harness.py) to run the student's function and
judges the plain data that comes back: a model's layers and compile settings as names and
numbers, arrays for everything else. No reference solution here, and no TensorFlow: the
checks never see a model object.
"""
import numpy as np
import pytest

from autograder.checks import as_array, check, explain_errors, expect_close, fail, value_lines
from autograder.i18n import _
from autograder.sandbox.runner import MissingFunction, NotImplementedYet

RNG_SEED = 4321
HIDDEN, CLASSES, INPUTS = 50, 10, 784
PARAMETERS = INPUTS * HIDDEN + HIDDEN + HIDDEN * CLASSES + CLASSES  # 39,760


def rng(salt):
    return np.random.default_rng([RNG_SEED, salt])


@pytest.fixture(scope="module")
def lesson(assignment):
    """The lesson's model as data ([lesson] in assignment.toml): the harness builds it for the checks
    of compile_model and train, so that a bug in build_model costs build_model's points only."""
    return {"layers": assignment.config["schedule"]["layers"], **assignment.config["lesson"]}


def raw_images(salt, n=5):
    """A batch as keras.datasets.mnist.load_data() gives it: uint8 (n, 28, 28), 0 to 255, both ends included."""
    images = rng(salt).integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[-1, -1, -1] = 0, 255
    return images


# -- preprocess ----------------------------------------------------------------------------
def _preprocessed(student, images):
    received = student.preprocess(images)
    return received, as_array(received, _("preprocess of a (5, 28, 28) batch of uint8 images"))


@check("preprocess", "scales the pixels to [0, 1]", points=5)
def test_preprocess_values(student):
    images = raw_images(1)
    received, values = _preprocessed(student, images)
    expected = images.astype(np.float64) / 255.0
    if values.size != expected.size:
        fail(_("preprocess returned {received} values for {count} pixels: its values cannot be compared").format(
            received=values.size, count=expected.size))
    expect_close(values.ravel(), expected.ravel(), _("preprocess: the pixels, in order"), rtol=1e-6, causes=[
        (_("the pixels are not scaled: divide by 255 so that they lie in [0, 1]"),
         lambda r: np.allclose(r, expected.ravel() * 255)),
        (_("integer division (// 255) leaves only 0 and 1: divide with /"),
         lambda r: np.allclose(r, np.floor(expected.ravel()))),
        (_("scaled to [-1, 1]: the lesson scales to [0, 1], dividing by 255"),
         lambda r: np.allclose(r, 2 * expected.ravel() - 1, atol=1e-6))])


FLATTEN = _("the images are not flattened: reshape the batch to (N, 784), e.g. images.reshape(len(images), 784)")


@check("preprocess", "flattens each image: (N, 28, 28) becomes (N, 784)", points=4)
def test_preprocess_shape(student):
    received, _values = _preprocessed(student, raw_images(2))
    shape = tuple(received.shape)
    if shape == (5, INPUTS):
        return
    causes = {(5, 28, 28): FLATTEN, (5, 28, 28, 1): FLATTEN,
              (5 * INPUTS,): _("the whole batch became one vector: keep one row per image, reshape(len(images), 784)"),
              (INPUTS, 5): _("the result is transposed: one row per image, shape (N, 784)")}
    fail(_("{what}: expected shape {expected}, received shape {received}").format(
        what=_("preprocess of a (5, 28, 28) batch"), expected=(5, INPUTS), received=shape), causes.get(shape))


@check("preprocess", "returns float32, what Keras computes in", points=3)
def test_preprocess_dtype(student):
    received, _values = _preprocessed(student, raw_images(3))
    if received.dtype == np.float32:
        return
    fail(_("preprocess returned an array of dtype {dtype}; expected float32").format(dtype=received.dtype),
         _("float64 (what dividing by 255 gives NumPy's default floats): convert with .astype(np.float32) before "
           "dividing") if received.dtype == np.float64 else
         _("the pixels are still integers: convert with .astype(np.float32) and divide by 255")
         if received.dtype.kind in "iu" else None)


# -- build_model ---------------------------------------------------------------------------
FOLDED = {"Softmax": "softmax", "ReLU": "relu"}  # layers that are an activation and nothing else


def activation_name(name):
    """Keras's and TensorFlow's names of one activation alike (tf.nn.softmax is softmax_v2)."""
    return None if name is None else str(name).lower().removesuffix("_v2")


def dense_layers(architecture):
    """The model as (units, activation) per Dense layer, whatever the spelling: an InputLayer or a
    Flatten of flat inputs adds nothing, an Activation layer after a linear Dense is its activation.
    Any other layer is kept as (its class, None)."""
    found = []
    for layer in architecture["layers"]:
        kind = layer["class"]
        activation = activation_name(layer["activation"] or FOLDED.get(kind))
        if kind == "Dense":
            found.append([layer["units"], activation])
        elif kind in ("Activation", *FOLDED) and found and found[-1][1] == "linear":
            found[-1][1] = activation
        elif kind not in ("InputLayer", "Flatten"):
            found.append([kind, None])
    return [tuple(f) for f in found]


def architecture(student):
    described = student.harness("architecture")
    if not isinstance(described, dict) or not isinstance(described.get("layers"), list):
        fail(_("the grader could not read your model's layers"))
    return described


def _structure(layers):
    return ", ".join(f"Dense({units})" if isinstance(units, int) else str(units) for units, _a in layers) or "-"


@check("build_model", "two Dense layers, of 50 and 10 units", points=5)
def test_build_model_units(student):
    layers = dense_layers(architecture(student))
    units = [u for u, _a in layers]
    if units == [HIDDEN, CLASSES]:
        return
    if units == [CLASSES, HIDDEN]:
        cause = _("the layers are in the wrong order: Dense(50) first, then Dense(10)")
    elif len(units) == 2 and units[1] == CLASSES:
        cause = _("the hidden layer has {units} units: the lesson's has 50").format(units=units[0])
    elif len(units) == 2 and units[0] == HIDDEN:
        cause = _("the output layer needs 10 units, one per digit")
    elif len(units) > 2:
        cause = _("{count} layers: the lesson's model has two Dense layers and nothing else").format(count=len(units))
    else:
        cause = None
    fail(_("the model's layers differ from the lesson's")
         + value_lines(expected="Dense(50), Dense(10)", received=_structure(layers)), cause)


@check("build_model", "sigmoid in the hidden layer, softmax in the output layer", points=5)
def test_build_model_activations(student):
    layers = dense_layers(architecture(student))
    activations = [a for _u, a in layers]
    if activations == ["sigmoid", "softmax"]:
        return
    cause = None
    if len(activations) == 2 and activations[0] != "sigmoid":
        cause = _("the hidden layer uses {activation}: the lesson's uses sigmoid").format(
            activation=activations[0] or _("no activation"))
    elif len(activations) == 2 and activations[1] == "linear":
        cause = _("the output layer has no activation: add activation='softmax', so that the ten outputs are "
                  "probabilities")
    elif len(activations) == 2:
        cause = _("the output layer uses {activation}: use softmax, so that the ten outputs are probabilities "
                  "that sum to one").format(activation=activations[1])
    fail(_("the activations differ from the lesson's")
         + value_lines(expected="sigmoid, softmax", received=", ".join(str(a) for a in activations) or "-"), cause)


@check("build_model", "takes flat images: input shape (784,)", points=4)
def test_build_model_input_shape(student):
    described = architecture(student)
    shape = described["input_shape"]
    if shape == [-1, INPUTS]:
        return
    if shape is None:
        fail(_("the model has no input shape, so Keras cannot build it before it sees data"),
             _("give the first layer input_shape=(784,), or start the model with keras.Input(shape=(784,))"))
    received = tuple(None if d == -1 else d for d in shape[1:]) if isinstance(shape, list) else shape
    fail(_("the model's input shape is {received}; expected (784,)").format(received=received),
         _("preprocess flattens every image to 784 numbers, so the model takes inputs of shape (784,)")
         if isinstance(shape, list) and shape[1:] in ([28, 28], [28, 28, 1]) else None)


@check("build_model", "39,760 parameters", points=3)
def test_build_model_parameters(student):
    described = architecture(student)
    count = described["params"]
    if count == PARAMETERS:
        return
    if count is None:
        fail(_("the model has no input shape, so it has no weights yet to count"),
             _("give the first layer input_shape=(784,), or start the model with keras.Input(shape=(784,))"))
    no_bias = INPUTS * HIDDEN + HIDDEN * CLASSES
    fail(_("the model has {count:,} parameters; the lesson's has {expected:,} (784 x 50 + 50 + 50 x 10 + 10)").format(
        count=count, expected=PARAMETERS),
        _("the layers have no bias: keep use_bias=True, Keras's default") if count == no_bias else None)


# -- compile_model -------------------------------------------------------------------------
# The lesson's optimizer: "adam", Keras's Adam with its defaults.
ADAM = {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
ADAM_OFF = ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "gradient_accumulation_steps")
LOSSES = ("sparse_categorical_crossentropy", "categorical_crossentropy")
ACCURACY = ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "SparseCategoricalAccuracy",
            "CategoricalAccuracy")


def compile_settings(student, lesson):
    settings = student.harness("compile_settings", lesson)
    if not isinstance(settings, dict) or not all(k in settings for k in ("optimizer", "loss", "metrics")):
        fail(_("the grader could not read your model's compile settings"))
    return settings


@check("compile_model", "the Adam optimizer with the lesson's settings", points=7)
def test_compile_optimizer(student, lesson):
    optimizer = compile_settings(student, lesson)["optimizer"]
    name, config = optimizer["class"], optimizer["config"]
    if name != "Adam":
        fail(_("the optimizer is {name}; expected Adam").format(name=name),
             _("the lesson trains with Adam: optimizer='adam', or keras.optimizers.Adam()"))
    changed = [key for key, value in ADAM.items() if not isinstance(config.get(key), (int, float))
               or not np.isclose(config[key], value, rtol=1e-6, atol=0)]
    changed += [key for key in ADAM_OFF if config.get(key) is not None]
    changed += [key for key in ("amsgrad", "use_ema") if config.get(key)]
    if changed:
        fail(_("Adam's settings differ from the lesson's: {names}").format(names=", ".join(changed))
             + value_lines(expected=", ".join(f"{k}={v:g}" for k, v in ADAM.items()),
                           received=", ".join(f"{k}={config.get(k)}" for k in changed)),
             _("the lesson uses Adam's defaults: optimizer='adam' or keras.optimizers.Adam() with no arguments"))


@check("compile_model", "the cross-entropy loss of a softmax output", points=7)
def test_compile_loss(student, lesson):
    loss = compile_settings(student, lesson)["loss"]
    name, config = str(loss["name"]), loss["config"]
    if name not in LOSSES:
        causes = {"mean_squared_error": _("mean squared error is a regression loss: use "
                                          "sparse_categorical_crossentropy, the loss for integer class labels"),
                  "binary_crossentropy": _("binary_crossentropy is for two classes: with ten, use "
                                           "sparse_categorical_crossentropy")}
        fail(_("the loss is {name}; expected sparse_categorical_crossentropy (or categorical_crossentropy "
               "with one-hot labels)").format(name=name), causes.get({"mse": "mean_squared_error"}.get(name, name)))
    if config.get("from_logits"):
        fail(_("the loss has from_logits=True, but the model's softmax already turns logits into probabilities"),
             _("drop from_logits=True: the loss takes the softmax's probabilities"))


@check("compile_model", "reports the accuracy metric", points=4)
def test_compile_metrics(student, lesson):
    metrics = [str(m) for m in compile_settings(student, lesson)["metrics"]]
    if any(m in ACCURACY for m in metrics):
        return
    fail(_("the metrics are {metrics}; expected accuracy").format(metrics=", ".join(metrics) or _("none")),
         _("add metrics=['accuracy'] to model.compile"))


# -- train (optional) ----------------------------------------------------------------------
RANK_ERRORS = ("must have the same rank", "must have rank")  # Keras's words when labels and loss disagree


@check("train", "optional: fits the model and returns its history, a loss (and each metric) per epoch", points=5)
def test_train_history(student, lesson):
    r = rng(40)
    x, y = r.random((64, INPUTS), dtype=np.float32), r.integers(0, CLASSES, size=64)
    try:
        with explain_errors((_("the loss and the labels disagree: categorical_crossentropy takes one-hot rows, "
                               "sparse_categorical_crossentropy integer labels like y; train feeds the labels as "
                               "they are (the lesson's are integers), so compile with the sparse loss, or one-hot "
                               "them in train with keras.utils.to_categorical(y, 10)"),
                             lambda message: any(e in message for e in RANK_ERRORS))):
            fitted = student.harness("fit", lesson, x, y)
    except (NotImplementedYet, MissingFunction):
        return  # optional: a train that is not written costs nothing
    if not isinstance(fitted, dict) or not isinstance(fitted.get("history"), dict):
        fail(_("the grader could not read what train returned"))
    history = fitted["history"]
    if "returned" in history:
        fail(_("train returned {type}; expected the History that model.fit returns").format(type=history["returned"]),
             _("return the result of fit: history = model.fit(...), then return history"))
    losses = history.get("loss")
    if not isinstance(losses, list) or not losses:
        fail(_("the history holds {keys}; expected a loss for every epoch").format(
            keys=", ".join(sorted(history)) or _("nothing")))
    uneven = sorted(k for k, v in history.items() if not isinstance(v, list) or len(v) != len(losses))
    if uneven:
        fail(_("the history's {keys} do not have one value per epoch, as its loss has ({epochs})").format(
            keys=", ".join(uneven), epochs=len(losses)))
    if not fitted["changed"]:
        fail(_("train returned a history, but the model it was given did not change"),
             _("fit the model train is given (model.fit(x, y, ...)), not a new one"))
