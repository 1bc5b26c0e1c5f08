# Carol's MNIST MLP -- work in progress
import numpy as np


def sigmoid(x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


def sigmoid_grad(x):
    """Derivative of the sigmoid at ``x`` (given)."""
    s = sigmoid(x)
    return (1.0 - s) * s


def softmax(x):
    x = np.asarray(x, dtype=float)
    c = np.max(x, axis=-1, keepdims=True)
    exp_x = np.exp(x - c)
    return exp_x / np.sum(exp_x, axis=-1, keepdims=True)


def one_hot(labels, num_classes=10):
    labels = np.asarray(labels).astype(int).flatten()
    result = np.zeros((len(labels), num_classes))
    for i, label in enumerate(labels):
        result[i, label] = 1.0
    return result


def cross_entropy_error(y, t):
    y = np.asarray(y, dtype=float)
    t = np.asarray(t)
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.size == y.size else t.reshape(1)
    if t.shape == y.shape:
        t = t.argmax(axis=1)
    probs = y[np.arange(y.shape[0]), t.astype(int)]
    # TODO: should this be the mean? the lesson divides by batch_size
    return float(-np.sum(np.log(probs + 1e-7)))


def affine_layer_forward(X, W, b):
    """``X @ W + b`` for a batch ``X (N, D)``, ``W (D, M)``, ``b (M,)`` (given).

    Returns ``(out, cache)`` with ``cache = (X, W, b)``.
    """
    out = X @ W + b
    cache = (X, W, b)
    return out, cache


def affine_layer_backward(dout, cache):
    X, W, b = cache
    dX = dout @ W.T
    dW = X.T @ dout
    db = np.sum(dout, axis=1)
    return dX, dW, db


def init_params(input_size, hidden_size, output_size, weight_init_std=0.01):
    """Small random weights and zero biases (given)."""
    W1 = weight_init_std * np.random.randn(input_size, hidden_size)
    b1 = np.zeros(hidden_size)
    W2 = weight_init_std * np.random.randn(hidden_size, output_size)
    b2 = np.zeros(output_size)
    return W1, b1, W2, b2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate):
    """One plain SGD update (given)."""
    W1 = W1 - learning_rate * dW1
    b1 = b1 - learning_rate * db1
    W2 = W2 - learning_rate * dW2
    b2 = b2 - learning_rate * db2
    return W1, b1, W2, b2


def train_step(X, Y, W1, b1, W2, b2, learning_rate=0.1, verbose=False):
    # TODO: forward pass, loss, backward pass, update
    raise NotImplementedError("train_step is not done yet")


def predict(W1, b1, W2, b2, X):
    """Class probabilities ``(N, 10)`` for a batch ``X`` (given)."""
    a1, _ = affine_layer_forward(X, W1, b1)
    a2, _ = affine_layer_forward(sigmoid(a1), W2, b2)
    return softmax(a2)


def accuracy(W1, b1, W2, b2, X, y):
    """Fraction of ``X`` whose most probable class equals the label in ``y`` (given)."""
    return float(np.mean(np.argmax(predict(W1, b1, W2, b2, X), axis=1) == np.asarray(y)))
