# bug: affine_layer_backward computes dX = dout @ W without transposing W (only runs when W is square, and is wrong there)
# loses: affine_layer_backward
# cause: W must be transposed
import numpy as np


def affine_layer_backward(dout, cache):
    X, W, b = cache
    dX = dout @ W
    dW = X.T @ dout
    db = np.sum(dout, axis=0)
    return dX, dW, db
