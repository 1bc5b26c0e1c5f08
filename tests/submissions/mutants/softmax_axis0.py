# bug: softmax takes the max and the sum over axis=0, so a batch is normalised per column instead of per row
# loses: softmax
# cause: normalised over the wrong axis
import numpy as np


def softmax(x):
    x = x - np.max(x, axis=0, keepdims=True)
    e = np.exp(x)
    return e / np.sum(e, axis=0, keepdims=True)
