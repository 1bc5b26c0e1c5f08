"""Public checks for mnist_mlp: students run these with `python -m autograder check`.

Each check calls the student's function in the sandbox through the ``student``
fixture and judges the plain data that comes back. No reference solution here.
"""
import numpy as np

from autograder.checks import (as_array, as_float, check, difference_step, expect_close, expect_finite,
                               expect_gradient, explain_errors, fail, numerical_gradient, precision)
from autograder.i18n import _

RNG_SEED = 1234


def rng(salt):
    return np.random.default_rng([RNG_SEED, salt])


# -- sigmoid -------------------------------------------------------------------------------
SCALAR_MATH = (_("math.exp works on one number only: use np.exp, which works element-wise on arrays"),
               lambda message: "arrays can be converted to Python scalars" in message)


@check("sigmoid", "known values", points=3)
def test_sigmoid_values(student):
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    with explain_errors(SCALAR_MATH):
        received = student.sigmoid(x)
    expect_close(received, [0.11920292, 0.26894142, 0.5, 0.73105858, 0.88079708],
                 "sigmoid([-2, -1, 0, 1, 2])", rtol=1e-6,
                 causes=[(_("operator precedence: 1 / 1 + np.exp(-x) is 1 + np.exp(-x); write 1 / (1 + np.exp(-x))"),
                          lambda r: np.allclose(r, 1 + np.exp(-x))),
                         (_("a sign error: use 1 / (1 + np.exp(-x))"), lambda r: np.allclose(r, 1 / (1 + np.exp(x))))])


@check("sigmoid", "no nan at inputs of +-1000", points=2)
def test_sigmoid_extremes(student):
    expect_close(student.sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0], "sigmoid([-1000, 1000])", atol=1e-12)


@check("sigmoid", "keeps the shape of a 2-D batch", points=2)
def test_sigmoid_shape(student):
    x = rng(1).normal(size=(4, 3))
    with explain_errors(SCALAR_MATH):
        received = student.sigmoid(x)
    expect_close(received, 1 / (1 + np.exp(-x)), _("sigmoid of a (4, 3) batch"))


# -- softmax -------------------------------------------------------------------------------
OVERFLOW = _("np.exp overflowed (exp(1000) is inf, and inf / inf is nan): subtract each row's max "
             "before np.exp, x - np.max(x, axis=-1, keepdims=True); the result does not change")
GLOBAL_MAX = _("the max of the whole batch was subtracted: a row far below it underflows to 0 / 0; "
               "subtract each row's own max, np.max(x, axis=-1, keepdims=True)")
NO_KEEPDIMS = (_("a row's max or sum lost its axis and no longer lines up with the rows: "
                 "use keepdims=True, e.g. np.sum(e, axis=1, keepdims=True)"),
               lambda message: "could not be broadcast" in message)


def _softmax_causes(x):
    return [(_("normalised over the wrong axis: sum each row (axis=1, keepdims=True)"),
             lambda r: r.ndim == 2 and np.allclose(r.sum(axis=0), 1)),
            (_("divided by the sum of the whole batch: sum each row (axis=1, keepdims=True)"),
             lambda r: np.isclose(r.sum(), 1))]


@check("softmax", "known values of a vector", points=3)
def test_softmax_vector(student):
    x = np.array([1.0, 2.0, 3.0])
    expect_close(student.softmax(x), [0.09003057, 0.24472847, 0.66524096], "softmax([1, 2, 3])")


@check("softmax", "rows of a batch sum to one", points=3)
def test_softmax_rows(student):
    x = rng(2).normal(size=(5, 4))
    with explain_errors(NO_KEEPDIMS):
        probs = as_array(student.softmax(x), _("softmax of a (5, 4) batch"), (5, 4))
    expect_finite(probs, _("softmax of a (5, 4) batch"))
    expect_close(probs.sum(axis=1), np.ones(5), _("row sums of softmax(x)"), causes=[
        (_("normalised over the wrong axis: sum each row (axis=1, keepdims=True)"),
         lambda s: np.allclose(probs.sum(axis=0), 1)),
        (_("divided by the sum of the whole batch"), lambda s: np.isclose(s.sum(), 1))])
    if (probs < 0).any():
        fail(_("softmax returned negative probabilities"))


@check("softmax", "invariant to adding a constant to a row", points=2)
def test_softmax_shift(student):
    x = rng(3).normal(size=(3, 4))
    base = as_array(student.softmax(x), "softmax(x)", (3, 4))
    # A constant answer is shift-invariant too; only a distribution counts.
    expect_close(base.sum(axis=1), np.ones(3), _("row sums of softmax(x)"))
    expect_close(student.softmax(x + 50.0), base, _("softmax(x + 50) compared with softmax(x)"), rtol=1e-6)


@check("softmax", "no overflow at logits of +-1000", points=3)
def test_softmax_stable(student):
    x = np.array([[1000.0, 1000.0, -1000.0], [-1000.0, -1000.0, -1000.0]])
    received = student.softmax(x)
    # Which row went bad tells the two mistakes apart: overflow spoils the row holding +1000,
    # a global max spoils the row far below it.
    first_row_ok = isinstance(received, np.ndarray) and received.shape == x.shape and \
        np.isfinite(np.asarray(received[0], dtype=np.float64)).all()
    expect_close(received, [[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]],
                 "softmax([[1000, 1000, -1000], [-1000, -1000, -1000]])", atol=1e-12,
                 causes=_softmax_causes(x), finite_cause=GLOBAL_MAX if first_row_ok else OVERFLOW)


# -- one_hot -------------------------------------------------------------------------------
WHOLE_ROWS = (_("whole rows were set: encoded[labels] = 1 picks rows; set one entry per row, "
                "encoded[np.arange(N), labels] = 1"), lambda r: (r.sum(axis=1) > 1).any())
@check("one_hot", "known example", points=4)
def test_one_hot_example(student):
    labels = np.array([2, 0, 9, 2])
    expected = np.zeros((4, 10))
    expected[[0, 1, 2, 3], [2, 0, 9, 2]] = 1
    expect_close(student.one_hot(labels), expected, "one_hot([2, 0, 9, 2])", causes=[
        (_("the result is transposed: one row per label, shape (N, num_classes)"), lambda r: r.shape == (10, 4)),
        WHOLE_ROWS])


@check("one_hot", "honours num_classes", points=2)
def test_one_hot_classes(student):
    # The largest class (4) is absent: the width must come from num_classes, not from the labels.
    expect_close(student.one_hot(np.array([1, 0, 2]), num_classes=5), np.eye(5)[[1, 0, 2]],
                 "one_hot([1, 0, 2], num_classes=5)", causes=[
                     (_("the width comes from the labels (labels.max() + 1): use num_classes"),
                      lambda r: r.shape == (3, 3)),
                     (_("num_classes is ignored: the width is always 10"), lambda r: r.shape == (3, 10)),
                     WHOLE_ROWS])


# -- cross_entropy_error -------------------------------------------------------------------
Y2 = np.array([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]])
T2 = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
CE2 = -(np.log(0.7) + np.log(0.5)) / 2


@check("cross_entropy_error", "known value with one-hot targets", points=3)
def test_ce_one_hot(student):
    with explain_errors((_("one-hot rows were used as integer labels: when t has y's shape, take "
                           "t.argmax(axis=1) first (or compute -sum(t * log(y)))"),
                         lambda message: "IndexError" in message or "indexing arrays" in message)):
        loss = as_float(student.cross_entropy_error(Y2, T2), _("cross_entropy_error(y, t) with one-hot t"))
    expect_close(np.array(loss), np.array(CE2), _("cross_entropy_error(y, t) with one-hot t"), rtol=1e-5, causes=[
        (_("summed over the batch instead of averaging: divide by N"), lambda r: np.isclose(r, 2 * CE2, rtol=1e-4))])


@check("cross_entropy_error", "integer labels give the same loss as one-hot", points=3)
def test_ce_labels(student):
    with explain_errors((_("integer labels were used as if they were one-hot rows: convert them with "
                           "one_hot, or pick y[np.arange(N), t]"),
                         lambda message: "could not be broadcast" in message)):
        loss = as_float(student.cross_entropy_error(Y2, np.array([1, 0])), "cross_entropy_error(y, [1, 0])")
    expect_close(np.array(loss), np.array(CE2), _("cross_entropy_error(y, [1, 0]) with integer labels"), rtol=1e-5,
                 causes=[(_("summed over the batch instead of averaging: divide by N"),
                          lambda r: np.isclose(r, 2 * CE2, rtol=1e-4))])


@check("cross_entropy_error", "a single 1-D example", points=2)
def test_ce_vector(student):
    y, t = np.array([0.2, 0.3, 0.5]), np.array([0.0, 0.0, 1.0])
    loss = as_float(student.cross_entropy_error(y, t), _("cross_entropy_error of 1-D y and t"))
    expect_close(np.array(loss), np.array(-np.log(0.5)), "cross_entropy_error([0.2, 0.3, 0.5], [0, 0, 1])", rtol=1e-5,
                 causes=[(_("a 1-D y is one example: reshape y and t to (1, K) first; dividing by y.shape[0] "
                            "divided by the number of classes"), lambda r: np.isclose(r, -np.log(0.5) / 3))])


@check("cross_entropy_error", "returns a single Python float", points=2)
def test_ce_returns_float(student):
    as_float(student.cross_entropy_error(Y2, T2), "cross_entropy_error(y, t)")


@check("cross_entropy_error", "averages over the batch (a repeated batch has the same loss)", points=2)
def test_ce_mean(student):
    once = as_float(student.cross_entropy_error(Y2, T2), _("loss of a batch"))
    twice = as_float(student.cross_entropy_error(np.vstack([Y2, Y2]), np.vstack([T2, T2])), _("loss of it twice"))
    expect_close(np.array(twice), np.array(once), _("loss of a batch repeated twice, compared with the batch"),
                 rtol=1e-6, causes=[(_("summed over the batch: divide by N"), lambda r: np.isclose(r, 2 * once))])


# -- affine_layer_backward -----------------------------------------------------------------
def _affine_case(seed, n=4, d=5, m=3):
    r = rng(seed)
    return r.normal(size=(n, d)), r.normal(size=(d, m)), r.normal(size=m), r.normal(size=(n, m))


def _affine_grads(student, X, W, b, dout):
    out = student.affine_layer_backward(dout, (X, W, b))
    if not isinstance(out, tuple) or len(out) != 3:
        if isinstance(out, (tuple, list)):
            fail(_("affine_layer_backward: expected a tuple (dX, dW, db), received {type} of length {length}")
                 .format(type=type(out).__name__, length=len(out)))
        fail(_("affine_layer_backward: expected a tuple (dX, dW, db), received {type}")
             .format(type=type(out).__name__))
    return out


@check("affine_layer_backward", "returns (dX, dW, db) with the shapes of X, W, b", points=4)
def test_affine_shapes(student):
    X, W, b, dout = _affine_case(10)
    with explain_errors((_("dX = dout @ W.T: W must be transposed to map the output gradient back to the inputs"),
                         lambda message: "matmul" in message or "not aligned" in message)):
        dX, dW, db = _affine_grads(student, X, W, b, dout)
    as_array(dX, "dX", X.shape)
    if isinstance(dW, np.ndarray) and dW.shape == W.shape[::-1]:
        fail(_("{name}: expected shape {expected}, received {received}").format(name="dW", expected=W.shape,
                                                                                received=dW.shape),
             _("dW is transposed: use X.T @ dout"))
    as_array(dW, "dW", W.shape)
    if isinstance(db, np.ndarray) and db.shape == (X.shape[0],):
        fail(_("{name}: expected shape {expected}, received {received}").format(name="db", expected=b.shape,
                                                                                received=db.shape),
             _("db summed over axis 1 (the features) instead of axis 0 (the batch)"))
    if isinstance(db, (float, np.generic)):
        fail(_("{name}: expected shape {expected}, received a single number").format(name="db", expected=b.shape),
             _("db summed over every axis: sum over the batch only, np.sum(dout, axis=0)"))
    as_array(db, "db", b.shape)


def _numeric(X, W, b, dout, which):
    loss = {"X": lambda v: np.sum((v @ W + b) * dout), "W": lambda v: np.sum((X @ v + b) * dout),
            "b": lambda v: np.sum((X @ W + v) * dout)}[which]
    return numerical_gradient(loss, {"X": X, "W": W, "b": b}[which])


def _check_affine_gradient(student, seed, which):
    X, W, b, dout = _affine_case(seed)
    grad = _affine_grads(student, X, W, b, dout)["XWb".index(which)]
    numeric = _numeric(X, W, b, dout, which)
    n = len(X)
    # A float32 answer carries float32's rounding in every entry, and more in one that cancels to ~0.
    eps = precision(grad)
    expect_gradient(grad, numeric, f"d{which}", threshold=max(1e-6, 1e3 * eps),
                    floor=max(1e-8, 1e3 * eps * float(np.max(np.abs(numeric)))), causes=[
                        (_("d{which} is averaged over the batch: sum it (dout already holds the 1/N of the loss)")
                         .format(which=which),
                         lambda r: np.allclose(r * n, numeric, rtol=1e-4))])


@check("affine_layer_backward", "dX matches centred differences", points=4)
def test_affine_dx(student):
    _check_affine_gradient(student, 11, "X")


@check("affine_layer_backward", "dW matches centred differences", points=4)
def test_affine_dw(student):
    _check_affine_gradient(student, 12, "W")


@check("affine_layer_backward", "db matches centred differences", points=4)
def test_affine_db(student):
    _check_affine_gradient(student, 13, "b")


# -- train_step ----------------------------------------------------------------------------
CLASSES = 10  # the lesson hard-codes 10 (one_hot(Y), _change_ont_hot_label(Y, 10)): so do the checks


def tiny_network(seed, n=8, d=6, h=5):
    """A small batch for the real 10-class output layer; only the input and hidden sizes shrink."""
    r = rng(seed)
    X = r.normal(size=(n, d))
    Y = r.integers(0, CLASSES, size=n)
    params = [0.5 * r.normal(size=(d, h)), 0.1 * r.normal(size=h), 0.5 * r.normal(size=(h, CLASSES)),
              0.1 * r.normal(size=CLASSES)]
    return X, Y, params


def run_step(student, X, Y, params, learning_rate):
    """The new parameters (as float64 arrays) and the loss."""
    out = student.isolated("train_step")(X, Y, *params, learning_rate=learning_rate)
    if not isinstance(out, tuple) or len(out) != 5:
        fail(_("train_step: expected a tuple (W1, b1, W2, b2, loss), received {type}")
             .format(type=type(out).__name__))
    names = ["W1", "b1", "W2", "b2"]
    new = [as_array(p, _("train_step's new {name}").format(name=n), old.shape)
           for p, n, old in zip(out, names, params)]
    return new, as_float(out[4], _("train_step's loss"))


FLOAT32 = float(np.finfo(np.float32).eps)


def working_precision(student, X, Y, params):
    """Machine epsilon of the arithmetic train_step does: float64's, or float32's if it rounds to it.

    A step at learning rate 0 returns the parameters as train_step holds them: float32 code
    rounds them by up to half of float32's epsilon, which a returned float64 array would hide.
    """
    still, _loss = run_step(student, X, Y, params, 0.0)
    rounding = max(float(np.max(np.abs(s - p) / np.maximum(np.abs(p), 1e-300))) for s, p in zip(still, params))
    return FLOAT32 if 0 < rounding <= FLOAT32 else float(np.finfo(np.float64).eps)


@check("train_step", "returns (W1, b1, W2, b2, loss) with the right shapes", points=3)
def test_train_step_outputs(student):
    X, Y, params = tiny_network(20)
    new, loss = run_step(student, X, Y, params, 0.1)
    for p in new:
        expect_finite(p, _("train_step's parameters"))
    if not loss > 0:
        fail(_("train_step's loss should be positive; received {loss}").format(loss=loss))


@check("train_step", "the update is the gradient of the returned loss (centred differences)", points=5)
def test_train_step_gradient(student):
    X, Y, params = tiny_network(21)
    eps = working_precision(student, X, Y, params)
    new, loss = run_step(student, X, Y, params, 1.0)
    n = len(X)
    # The difference quotient of a loss rounded to eps carries about eps * loss / h of noise per
    # rounding, a hundred roundings in all here; entries below that level cannot be judged. Measured
    # maxima: 3e-6 for float64 with the textbook's log(y + 1e-7), 3e-3 to 7e-3 for float32 over five
    # seeds; every one-bug mutant is above 0.5.
    h = difference_step(eps)
    floor = max(1e-8, 100 * eps * loss / h)
    threshold = 1e-3 if eps <= np.finfo(np.float64).eps else 5e-2
    for i, name in enumerate(["W1", "b1", "W2", "b2"]):
        def loss_at(value, i=i):
            trial = list(params)
            trial[i] = value
            return run_step(student, X, Y, trial, 1.0)[1]
        analytic = params[i] - new[i]  # with learning rate 1 the step is the gradient
        numeric = numerical_gradient(loss_at, params[i], h)
        ratio = np.sum(analytic * numeric) / max(np.sum(numeric * numeric), 1e-300)
        expect_gradient(analytic, numeric, _("the step for {name}").format(name=name), threshold=threshold,
                        floor=floor, causes=[
            (_("the gradient is {n} times too large: divide the output gradient by the batch size N").format(n=n),
             lambda r: abs(ratio - n) < 0.05 * n),
            (_("the output gradient is divided by a fixed 100: divide by the batch size N = X.shape[0]"),
             lambda r: abs(ratio - n / 100) < 0.05 * n / 100),
            (_("the update has the wrong sign: subtract learning_rate * gradient"), lambda r: abs(ratio + 1) < 0.05),
            (_("the step is a tenth of the gradient at learning_rate=1: learning_rate is ignored"),
             lambda r: abs(ratio - 0.1) < 0.005),
            (_("{name} is not updated: subtract learning_rate * d{name} from it").format(name=name),
             lambda r: np.allclose(r, 0)),
            (_("the loss is computed after the update: return the loss of the forward pass, before update_params"),
             lambda r: np.isclose(loss, run_step(student, X, Y, new, 0.0)[1], rtol=1e-9)),
            *[(text, lambda r, local=local: i < 2 and np.allclose(r, _hidden_step(X, Y, params, i, local), rtol=1e-3))
              for text, local in HIDDEN_LAYER_MISTAKES]])


# The hidden layer's backward pass with the derivative taken wrongly: (likely cause, local factor(a1, z1)).
HIDDEN_LAYER_MISTAKES = [
    (_("the hidden layer's backward pass multiplies by sigmoid(a1): use sigmoid_grad(a1), the derivative"),
     lambda a1, z1: z1),
    (_("sigmoid_grad is applied to z1 = sigmoid(a1), the activation: apply it to the pre-activation a1"),
     lambda a1, z1: (1 / (1 + np.exp(-z1))) * (1 - 1 / (1 + np.exp(-z1)))),
    (_("the derivative s * (1 - s) is evaluated at the pre-activation a1: use s = sigmoid(a1)"),
     lambda a1, z1: a1 * (1 - a1))]


def _hidden_step(X, Y, params, i, local):
    """The step for W1 (i = 0) or b1 (i = 1) when the hidden layer's derivative is ``local(a1, z1)``."""
    W1, b1, W2, b2 = params
    a1 = X @ W1 + b1
    z1 = 1 / (1 + np.exp(-a1))
    logits = z1 @ W2 + b2
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    probs[np.arange(len(Y)), Y] -= 1
    da1 = (probs / len(Y)) @ W2.T * local(a1, z1)
    return X.T @ da1 if i == 0 else da1.sum(axis=0)


@check("train_step", "the loss decreases over repeated steps on one batch", points=3)
def test_train_step_learns(student):
    X, Y, params = tiny_network(22, n=16)
    losses = []
    for _step in range(30):
        params, loss = run_step(student, X, Y, params, 0.5)
        losses.append(loss)
    if not losses[-1] < 0.8 * losses[0]:
        fail(_("after 30 steps at learning rate 0.5 the loss went from {first:.4f} to {last:.4f}; "
               "it should fall clearly").format(first=losses[0], last=losses[-1]),
             _("the update has the wrong sign, or the gradient is wrong"))


@check("train_step", "honours the learning rate", points=3)
def test_train_step_learning_rate(student):
    X, Y, params = tiny_network(23)
    still, _loss = run_step(student, X, Y, params, 0.0)
    for p, old in zip(still, params):
        expect_close(p, old, _("parameters after a step with learning_rate=0"),
                     causes=[(_("learning_rate is ignored"), lambda r: True)])
    eps = working_precision(student, X, Y, params)
    small, _loss = run_step(student, X, Y, params, 0.05)
    large, _loss = run_step(student, X, Y, params, 0.1)
    step_small, step_large = (p[0] - params[0] for p in (small, large))
    # Each new W1 is rounded to its own precision: allow that much on the change.
    expect_close(step_large, 2 * step_small,
                 _("the change of W1 at learning rate 0.1, compared with twice the change at 0.05"),
                 atol=max(1e-9, 1e2 * eps * float(np.max(np.abs(params[0])))),
                 causes=[(_("learning_rate is ignored"), lambda r: np.allclose(r, step_small))])
