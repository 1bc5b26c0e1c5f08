# bug: cross_entropy_error indexes y with t directly, which only works for integer labels, not one-hot targets
# loses: cross_entropy_error
# cause: one-hot rows were used as integer labels
import numpy as np


def cross_entropy_error(y, t):
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = np.reshape(t, -1)
    n = y.shape[0]
    return float(-np.sum(np.log(y[np.arange(n), t] + 1e-7)) / n)
