# bug: softmax reduces each row without keepdims, so (N, K) - (N,) does not broadcast
# loses: softmax
# cause: use keepdims=True
import numpy as np


def softmax(x):
    e = np.exp(x - np.max(x, axis=-1))
    return e / np.sum(e, axis=-1)
