"""What a check author needs: the ``check`` marker, typed expectations, gradient helpers.

Checks run in the trusted grader process on plain data that came back from the
sandbox. Every expectation converts to float64 itself, so nothing the student
returned decides what "equal" means.
"""
import contextlib

import numpy as np
import pytest

from .i18n import _
from .sandbox.runner import StudentException
from .wire import Opaque


def check(function, title, points, hidden=False):
    """Mark a test as a graded check of ``function`` worth ``points``; ``title`` is translated here."""
    return pytest.mark.grade(function=function, title=_(title), points=points, hidden=hidden)


class CheckFailed(AssertionError):
    """A check's verdict, worded for the student."""


def fail(message, cause=None):
    raise CheckFailed(message + (f"\n{cause_label()} {cause}" if cause else ""))


def value_labels():
    """The labels of the value lines under a failure; feedback pages lay those lines out as a table."""
    return {"expected": _("expected"), "received": _("received"), "numerical": _("numerical"), "yours": _("yours")}


def value_lines(**values):
    """``expected=..., received=...`` as indented, aligned lines under a failure's message."""
    labels = {key: value_labels()[key] for key in values}
    width = max(map(len, labels.values()))
    return "".join(f"\n  {labels[key].ljust(width)} {value}" for key, value in values.items())


def cause_label():
    """What starts a failure's likely-cause line (feedback pages find the line by it)."""
    return _("Likely cause:")


def first_cause(causes, value):
    """The explanation of the first ``(explanation, predicate)`` whose predicate holds for ``value``."""
    return next((text for text, holds in causes if _safe(holds, value)), None)


@contextlib.contextmanager
def explain_errors(*causes):
    """Add a likely cause to an exception raised by student code.

    ``causes`` are ``(explanation, predicate)`` pairs; a predicate gets the exception's
    message (which names the exception type and NumPy's own wording).
    """
    try:
        yield
    except StudentException as err:
        cause = first_cause(causes, str(err))
        if cause is None:
            raise
        fail(str(err), cause)


def preview(value, items=6):
    """A few numbers of an array, for a message that must stay short."""
    arr = np.asarray(value, dtype=np.float64)
    flat = arr.ravel()
    text = np.array2string(flat[:items], precision=4, suppress_small=True, separator=", ")
    return text[:-1] + ", ...]" if flat.size > items else text


def describe(value):
    if isinstance(value, np.ndarray):
        return _("a numpy array of shape {shape} and dtype {dtype}").format(shape=value.shape, dtype=value.dtype)
    if isinstance(value, Opaque):
        return _("an object of type {type}").format(type=value.type_name)
    return _("a {type}").format(type=type(value).__name__)


def as_array(value, what, shape=None):
    """``value`` as a float64 array of ``shape``, or a failure that says what came back."""
    if not isinstance(value, np.ndarray):
        expected = _("a numpy array of shape {shape}").format(shape=shape) if shape is not None else _("a numpy array")
        fail(_("{what}: expected {expected}, received {received}").format(
            what=what, expected=expected, received=describe(value)))
    if value.dtype.kind not in "biuf":
        fail(_("{what}: expected numbers, received an array of dtype {dtype}").format(what=what, dtype=value.dtype))
    if shape is not None and value.shape != tuple(shape):
        _wrong_shape(what, tuple(shape), value.shape)
    return value.astype(np.float64)


def as_float(value, what):
    """A single number: a Python float or int, or a NumPy scalar (not an array)."""
    if isinstance(value, np.generic) and value.dtype.kind in "iuf":
        return float(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    fail(_("{what}: expected a single number (a Python float), received {received}").format(
        what=what, received=describe(value)),
         _("return float(...) of the mean, not an array") if isinstance(value, np.ndarray) else None)


def expect_finite(arr, what, cause=None):
    bad = ~np.isfinite(arr)
    if bad.any():
        fail(_("{what}: {bad} of {size} values are nan or inf, e.g. {preview}").format(
            what=what, bad=int(bad.sum()), size=arr.size, preview=preview(arr[bad])), cause)


def precision(*values):
    """Machine epsilon of the least precise floating array among ``values`` (float64's if none).

    Tolerances follow it, so correct float32 code passes the checks float64 code passes.
    """
    eps = [np.finfo(v.dtype).eps for v in values if isinstance(v, np.ndarray) and v.dtype.kind == "f"]
    return float(max(eps, default=np.finfo(np.float64).eps))


def expect_close(received, expected, what, rtol=1e-6, atol=1e-9, causes=(), finite_cause=None):
    """Compare as float64 arrays; on failure name the most likely mistake.

    ``causes`` is a sequence of ``(explanation, predicate)``; the first predicate
    that holds for the received array is quoted. A float32 answer is held to
    float32's precision (a thousand roundings), never to float64's.
    """
    expected = np.asarray(expected, dtype=np.float64)
    eps = precision(received)
    if isinstance(received, np.ndarray) and received.shape != expected.shape:
        _wrong_shape(what, expected.shape, received.shape, first_cause(causes, received))
    arr = as_array(received, what, expected.shape)
    expect_finite(arr, what, finite_cause)
    rtol = max(rtol, 1e3 * eps)
    atol = max(atol, 1e3 * eps * float(np.max(np.abs(expected), initial=0.0)))
    if np.allclose(arr, expected, rtol=rtol, atol=atol):
        return arr
    worst = np.max(np.abs(arr - expected))
    cause = first_cause(causes, arr)
    fail(_("{what}: values differ (largest difference {worst:.3g})").format(what=what, worst=worst)
         + value_lines(expected=preview(expected), received=preview(arr)), cause)


def _wrong_shape(what, expected, received, cause=None):
    fail(_("{what}: expected shape {expected}, received shape {received}").format(
        what=what, expected=expected, received=received), cause)


def _safe(predicate, arr):
    try:
        return bool(predicate(arr))
    except Exception:  # a diagnosis must never turn into the failure itself
        return False


def rel_error(a, b, floor=1e-8):
    """CS231n's relative error: max |a - b| / max(floor, |a| + |b|).

    ``floor`` (1e-8 in CS231n) keeps entries at the noise level of the comparison
    from deciding it.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(floor, np.abs(a) + np.abs(b))))


def difference_step(eps):
    """Centred-difference step for a function computed with machine epsilon ``eps``.

    Rounding adds about eps / h to the difference quotient and truncation about h**2,
    so h near eps ** (1/3) balances them: 1e-5 in float64, about 5e-3 in float32.
    """
    return float(min(1e-2, max(1e-5, eps ** (1 / 3))))


def numerical_gradient(f, x, h=1e-5):
    """Centred differences of the scalar function ``f`` at the array ``x``."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        plus = f(x.copy())
        x[index] = old - h
        minus = f(x.copy())
        x[index] = old
        grad[index] = (plus - minus) / (2 * h)
    return grad


def expect_gradient(analytic, numeric, what, threshold=1e-6, floor=1e-8, causes=()):
    arr = as_array(analytic, what, numeric.shape)
    expect_finite(arr, what)
    error = rel_error(arr, numeric, floor)
    if error > threshold:
        cause = first_cause(causes, arr)
        fail(_("{what}: relative error {error:.2e} against centred differences (must be below {threshold:.0e})"
               ).format(what=what, error=error, threshold=threshold)
             + value_lines(numerical=preview(numeric), yours=preview(arr)), cause)
    return arr
