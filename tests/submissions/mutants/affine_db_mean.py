# bug: affine_layer_backward averages dout over the batch for db instead of summing it
# loses: affine_layer_backward
# cause: db is averaged over the batch
import numpy as np


def affine_layer_backward(dout, cache):
    X, W, b = cache
    return dout @ W.T, X.T @ dout, np.mean(dout, axis=0)
