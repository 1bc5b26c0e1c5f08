# style: a log-softmax loss by logsumexp, and a train_step that never calls one_hot (it subtracts 1 at the labels)
import numpy as np


def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x))


def softmax(x):
    return np.exp(x - np.logaddexp.reduce(x, axis=-1, keepdims=True))


def one_hot(labels, num_classes=10):
    labels = np.asarray(labels, dtype=int)
    return (labels[:, None] == np.arange(num_classes)).astype(float)


def cross_entropy_error(y, t):
    y = np.atleast_2d(y)
    t = np.asarray(t)
    labels = t.reshape(y.shape).argmax(axis=1) if t.size == y.size else t.reshape(-1)
    return float(-np.log(y[np.arange(len(y)), labels]).mean())


def affine_layer_backward(dout, cache):
    X, W, b = cache
    return dout.dot(W.T), X.T.dot(dout), dout.sum(0)


def _log_softmax(logits):
    return logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)


def train_step(X, Y, W1, b1, W2, b2, learning_rate=0.1, verbose=False):
    n = len(Y)
    rows = np.arange(n)
    hidden = sigmoid(X @ W1 + b1)
    logp = _log_softmax(hidden @ W2 + b2)
    loss = -logp[rows, Y].mean()

    grad = np.exp(logp)
    grad[rows, Y] -= 1.0
    grad /= n
    d_hidden, dW2, db2 = affine_layer_backward(grad, (hidden, W2, b2))
    d_pre = d_hidden * hidden * (1.0 - hidden)
    _, dW1, db1 = affine_layer_backward(d_pre, (X, W1, b1))
    return (W1 - learning_rate * dW1, b1 - learning_rate * db1,
            W2 - learning_rate * dW2, b2 - learning_rate * db2, float(loss))
