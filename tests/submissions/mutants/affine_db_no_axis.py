# bug: affine_layer_backward computes db = np.sum(dout) without an axis, a single number instead of one per output
# loses: affine_layer_backward
# cause: db summed over every axis
import numpy as np


def affine_layer_backward(dout, cache):
    X, W, b = cache
    return dout @ W.T, X.T @ dout, np.sum(dout)
