# bug: cross_entropy_error does not reshape a 1-D example, so it divides by y.shape[0], the number of classes
# loses: cross_entropy_error
# cause: a 1-D y is one example
import numpy as np


def cross_entropy_error(y, t):
    t = np.asarray(t)
    if t.size != y.size:
        t = np.eye(y.shape[-1])[t]
    return float(-np.sum(t * np.log(y + 1e-7)) / y.shape[0])
