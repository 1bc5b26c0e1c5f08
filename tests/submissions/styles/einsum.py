# style: np.einsum for every product (optimize=True hands them to BLAS), a tanh-based sigmoid, a small layer class
import numpy as np


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def softmax(x):
    z = np.asarray(x, dtype=float)
    z = z - z.max(axis=-1, keepdims=True)
    p = np.exp(z)
    return p / np.einsum("...k->...", p)[..., None]


def one_hot(labels, num_classes=10):
    return np.equal.outer(np.asarray(labels), np.arange(num_classes)).astype(np.float64)


def cross_entropy_error(y, t):
    y = np.asarray(y, dtype=float).reshape(-1, np.shape(y)[-1])
    t = np.asarray(t)
    t = t.reshape(y.shape) if t.size == y.size else one_hot(t.reshape(-1), y.shape[1])
    return float(-np.einsum("nk,nk->", t, np.log(np.clip(y, 1e-15, 1.0))) / y.shape[0])


def affine_layer_backward(dout, cache):
    X, W, b = cache
    dX = np.einsum("nm,dm->nd", dout, W, optimize=True)
    dW = np.einsum("nd,nm->dm", X, dout, optimize=True)
    return dX, dW, np.einsum("nm->m", dout)


class Dense:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, X):
        self.cache = (X, self.W, self.b)
        return np.einsum("nd,dm->nm", X, self.W, optimize=True) + self.b

    def backward(self, dout):
        return affine_layer_backward(dout, self.cache)


def train_step(X, Y, W1, b1, W2, b2, learning_rate=0.1, verbose=False):
    first, second = Dense(W1, b1), Dense(W2, b2)
    hidden = sigmoid(first.forward(X))
    probs = softmax(second.forward(hidden))
    targets = one_hot(Y, probs.shape[-1])
    loss = cross_entropy_error(probs, targets)
    d_hidden, dW2, db2 = second.backward((probs - targets) / len(X))
    _, dW1, db1 = first.backward(d_hidden * hidden * (1 - hidden))
    new = [p - learning_rate * g for p, g in zip((W1, b1, W2, b2), (dW1, db1, dW2, db2))]
    return (*new, loss)
