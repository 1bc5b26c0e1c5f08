# style: np.eye one-hot rows, np.dot everywhere, integer-label loss by fancy indexing, one_hot(Y, 10)
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-np.clip(x, -500, 500)))


def sigmoid_grad(x):
    return sigmoid(x) * (1 - sigmoid(x))


def softmax(x):
    if x.ndim == 1:
        e = np.exp(x - x.max())
        return e / e.sum()
    e = np.exp(x - x.max(axis=1).reshape(-1, 1))
    return e / e.sum(axis=1).reshape(-1, 1)


def one_hot(labels, num_classes=10):
    return np.eye(num_classes)[np.array(labels)]


def cross_entropy_error(y, t):
    if y.ndim == 1:
        y = y[np.newaxis]
        t = np.array(t)[np.newaxis]
    if t.ndim == 2:
        t = np.argmax(t, axis=1)
    n = y.shape[0]
    return float(np.mean(-np.log(y[range(n), t] + 1e-10)))


def affine_layer_forward(X, W, b):
    return np.dot(X, W) + b, (X, W, b)


def affine_layer_backward(dout, cache):
    X, W, b = cache
    dX = np.dot(dout, W.T)
    dW = np.dot(X.T, dout)
    db = dout.sum(axis=0)
    return dX, dW, db


def train_step(X, Y, W1, b1, W2, b2, learning_rate=0.1, verbose=False):
    a1, c1 = affine_layer_forward(X, W1, b1)
    z1 = sigmoid(a1)
    a2, c2 = affine_layer_forward(z1, W2, b2)
    probs = softmax(a2)
    loss = cross_entropy_error(probs, Y)
    delta = (probs - one_hot(Y, 10)) / X.shape[0]
    dz1, dW2, db2 = affine_layer_backward(delta, c2)
    _, dW1, db1 = affine_layer_backward(dz1 * sigmoid_grad(a1), c1)
    W1 -= learning_rate * dW1  # in place: the caller's arrays are copies on the wire
    b1 -= learning_rate * db1
    W2 -= learning_rate * dW2
    b2 -= learning_rate * db2
    return W1, b1, W2, b2, loss
