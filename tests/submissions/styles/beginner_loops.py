# style: a beginner's Python loops over rows and classes (slow but correct; only numpy's exp, log and dot)
import numpy as np
import math


def sigmoid(x):
    x = np.array(x, dtype=float)
    out = np.zeros(x.shape)
    flat_x = x.reshape(-1)
    flat_out = out.reshape(-1)
    for i in range(len(flat_x)):
        if flat_x[i] >= 0:
            flat_out[i] = 1 / (1 + math.exp(-flat_x[i]))
        else:
            flat_out[i] = math.exp(flat_x[i]) / (1 + math.exp(flat_x[i]))
    return out


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)


def softmax_row(row):
    biggest = max(row)
    exps = [math.exp(v - biggest) for v in row]
    total = sum(exps)
    return [e / total for e in exps]


def softmax(x):
    x = np.array(x, dtype=float)
    if x.ndim == 1:
        return np.array(softmax_row(x))
    result = np.zeros(x.shape)
    for i in range(x.shape[0]):
        result[i] = softmax_row(x[i])
    return result


def one_hot(labels, num_classes=10):
    result = np.zeros((len(labels), num_classes))
    for i in range(len(labels)):
        result[i][int(labels[i])] = 1.0
    return result


def cross_entropy_error(y, t):
    y = np.array(y, dtype=float)
    t = np.array(t)
    if y.ndim == 1:
        y = y.reshape(1, len(y))
        t = t.reshape(1, -1)
    total = 0.0
    for i in range(y.shape[0]):
        if t.ndim == 2:
            correct = int(np.argmax(t[i]))
        else:
            correct = int(t.reshape(-1)[i])
        total = total - math.log(y[i][correct] + 1e-12)
    return total / y.shape[0]


def affine_layer_forward(X, W, b):
    return np.dot(X, W) + b, (X, W, b)


def affine_layer_backward(dout, cache):
    X, W, b = cache
    dX = np.dot(dout, W.T)
    dW = np.zeros(W.shape)
    for n in range(X.shape[0]):
        dW = dW + np.outer(X[n], dout[n])
    db = np.zeros(b.shape)
    for n in range(dout.shape[0]):
        db = db + dout[n]
    return dX, dW, db


def train_step(X, Y, W1, b1, W2, b2, learning_rate=0.1, verbose=False):
    batch_size = X.shape[0]
    a1, cache1 = affine_layer_forward(X, W1, b1)
    z1 = 1 / (1 + np.exp(-a1))  # the loop sigmoid is too slow for a batch of 100 x 50
    a2, cache2 = affine_layer_forward(z1, W2, b2)
    e = np.exp(a2 - a2.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    loss = cross_entropy_error(probs, Y)
    dout = probs.copy()
    for i in range(batch_size):
        dout[i][Y[i]] = dout[i][Y[i]] - 1
    dout = dout / batch_size
    dz1 = np.dot(dout, W2.T)
    dW2 = np.dot(z1.T, dout)
    db2 = dout.sum(axis=0)
    da1 = dz1 * z1 * (1 - z1)
    dW1 = np.dot(X.T, da1)
    db1 = da1.sum(axis=0)
    W1 = W1 - learning_rate * dW1
    b1 = b1 - learning_rate * db1
    W2 = W2 - learning_rate * dW2
    b2 = b2 - learning_rate * db2
    if verbose:
        print("loss", loss)
    return W1, b1, W2, b2, loss
