# bug: cross_entropy_error returns a length-1 array (keepdims=True) instead of a single number
# loses: cross_entropy_error
# cause: return float(...)
import numpy as np


def cross_entropy_error(y, t):
    y = np.atleast_2d(y)
    t = np.asarray(t).reshape(y.shape[0], -1)
    if t.shape == y.shape:
        t = t.argmax(axis=1)
    picked = y[np.arange(y.shape[0]), t.reshape(-1)]
    return -np.mean(np.log(picked + 1e-7), keepdims=True)
