# bug: affine_layer_backward sums dout over axis=1 for db, giving shape (N,) instead of (M,)
# loses: affine_layer_backward
# cause: db summed over axis 1
import numpy as np


def affine_layer_backward(dout, cache):
    X, W, b = cache
    dX = dout @ W.T
    dW = X.T @ dout
    db = np.sum(dout, axis=1)
    return dX, dW, db
