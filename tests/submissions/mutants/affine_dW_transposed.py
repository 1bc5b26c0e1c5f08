# bug: affine_layer_backward computes dW = dout.T @ X, the transpose of the right gradient (shape (M, D))
# loses: affine_layer_backward
# cause: dW is transposed
import numpy as np


def affine_layer_backward(dout, cache):
    X, W, b = cache
    dX = dout @ W.T
    dW = dout.T @ X
    db = np.sum(dout, axis=0)
    return dX, dW, db
