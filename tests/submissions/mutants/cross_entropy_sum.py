# bug: cross_entropy_error sums the per-example losses instead of averaging over the batch
# loses: cross_entropy_error
# cause: summed over the batch
import numpy as np


def cross_entropy_error(y, t):
    y = np.asarray(y, dtype=np.float64)
    t = np.asarray(t)
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.size == y.size else t.reshape(1)
    if t.shape == y.shape:
        t = np.argmax(t, axis=1)
    picked = y[np.arange(y.shape[0]), t.astype(int)]
    return float(-np.sum(np.log(picked + 1e-12)))
