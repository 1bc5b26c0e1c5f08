# bug: cross_entropy_error computes -sum(t * log(y)) / N, which is only right for one-hot t, not integer labels
# loses: cross_entropy_error
# cause: integer labels were used as if they were one-hot rows
import numpy as np


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    batch_size = y.shape[0]
    return -np.sum(t * np.log(y + 1e-12)) / batch_size
