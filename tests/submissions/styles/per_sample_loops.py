# style: a beginner who thinks one example at a time: the backward pass and the one-hot encoding
# loop over the rows of the batch (correct, and about 15 times slower than the reference: the
# grader's CPU budget must still let it finish on a busy machine)
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    return (1.0 - sigmoid(x)) * sigmoid(x)


def softmax(x):
    if x.ndim == 1:
        e = np.exp(x - np.max(x))
        return e / np.sum(e)
    out = np.zeros(x.shape)
    for i in range(x.shape[0]):
        e = np.exp(x[i] - np.max(x[i]))
        out[i] = e / np.sum(e)
    return out


def one_hot(labels, num_classes=10):
    labels = np.asarray(labels).reshape(-1)
    out = np.zeros((len(labels), num_classes))
    for i in range(len(labels)):
        out[i, int(labels[i])] = 1.0
    return out


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = np.asarray(t).reshape(1, -1)
        y = y.reshape(1, -1)
    if np.size(t) == np.size(y):
        t = np.argmax(t, axis=1)
    t = np.asarray(t).reshape(-1)
    total = 0.0
    for i in range(y.shape[0]):
        total += -np.log(y[i, int(t[i])] + 1e-7)
    return float(total / y.shape[0])


def affine_layer_forward(X, W, b):
    out = np.zeros((X.shape[0], W.shape[1]))
    for i in range(X.shape[0]):
        out[i] = X[i] @ W + b
    return out, (X, W, b)


def affine_layer_backward(dout, cache):
    X, W, b = cache
    dX = np.zeros(X.shape)
    dW = np.zeros(W.shape)
    db = np.zeros(b.shape)
    for i in range(X.shape[0]):
        dX[i] = W @ dout[i]
        dW += np.outer(X[i], dout[i])
        db += dout[i]
    return dX, dW, db


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate):
    return W1 - learning_rate * dW1, b1 - learning_rate * db1, W2 - learning_rate * dW2, b2 - learning_rate * db2


def train_step(X, Y, W1, b1, W2, b2, learning_rate=0.1, verbose=False):
    a1, cache1 = affine_layer_forward(X, W1, b1)
    z1 = sigmoid(a1)
    a2, cache2 = affine_layer_forward(z1, W2, b2)
    probs = softmax(a2)
    loss = cross_entropy_error(probs, Y)
    dout = (probs - one_hot(Y, 10)) / X.shape[0]
    dz1, dW2, db2 = affine_layer_backward(dout, cache2)
    da1 = dz1 * sigmoid_grad(a1)
    dX, dW1, db1 = affine_layer_backward(da1, cache1)
    W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate)
    return W1, b1, W2, b2, loss
