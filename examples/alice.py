# MNIST two-layer net (784-50-10) from scratch -- Alice
# Follows the "deep learning from scratch" lesson: sigmoid hidden layer,
# softmax output, cross-entropy loss, backprop by hand, mini-batch SGD.
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    """Derivative of the sigmoid at ``x`` (given)."""
    s = sigmoid(x)
    return (1.0 - s) * s


def softmax(x):
    if x.ndim == 2:
        x = x.T
        x = x - np.max(x, axis=0)  # subtract the max so exp does not overflow
        y = np.exp(x) / np.sum(np.exp(x), axis=0)
        return y.T

    x = x - np.max(x)
    return np.exp(x) / np.sum(np.exp(x))


def one_hot(labels, num_classes=10):
    return np.eye(num_classes)[labels]


def cross_entropy_error(y, t):
    t = np.array(t)
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)

    # if t is one-hot, turn it into the index of the correct label
    if t.size == y.size:
        t = t.argmax(axis=1)

    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t])) / batch_size


def affine_layer_forward(X, W, b):
    """``X @ W + b`` for a batch ``X (N, D)``, ``W (D, M)``, ``b (M,)`` (given).

    Returns ``(out, cache)`` with ``cache = (X, W, b)``.
    """
    out = X @ W + b
    cache = (X, W, b)
    return out, cache


def affine_layer_backward(dout, cache):
    X, W, b = cache
    dX = np.dot(dout, W.T)
    dW = np.dot(X.T, dout)
    db = np.sum(dout, axis=0)
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
    batch_num = X.shape[0]

    # forward
    a1, cache1 = affine_layer_forward(X, W1, b1)
    z1 = sigmoid(a1)
    a2, cache2 = affine_layer_forward(z1, W2, b2)
    y = softmax(a2)
    loss = cross_entropy_error(y, Y)

    # backward
    dy = (y - one_hot(Y, y.shape[1])) / batch_num
    dz1, dW2, db2 = affine_layer_backward(dy, cache2)
    da1 = sigmoid_grad(a1) * dz1
    dx, dW1, db1 = affine_layer_backward(da1, cache1)

    W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate)
    if verbose:
        print("loss:", loss)
    return W1, b1, W2, b2, loss


def predict(W1, b1, W2, b2, X):
    """Class probabilities ``(N, 10)`` for a batch ``X`` (given)."""
    a1, _ = affine_layer_forward(X, W1, b1)
    a2, _ = affine_layer_forward(sigmoid(a1), W2, b2)
    return softmax(a2)


def accuracy(W1, b1, W2, b2, X, y):
    """Fraction of ``X`` whose most probable class equals the label in ``y`` (given)."""
    return float(np.mean(np.argmax(predict(W1, b1, W2, b2, X), axis=1) == np.asarray(y)))


if __name__ == "__main__":
    from keras.datasets import mnist

    (x_train, t_train), (x_test, t_test) = mnist.load_data()
    x_train = x_train.reshape(-1, 784).astype(np.float32) / 255.0
    x_test = x_test.reshape(-1, 784).astype(np.float32) / 255.0

    W1, b1, W2, b2 = init_params(input_size=784, hidden_size=50, output_size=10)

    iters_num = 10000
    train_size = x_train.shape[0]
    batch_size = 100
    learning_rate = 0.1
    iter_per_epoch = max(train_size // batch_size, 1)

    train_loss_list = []
    train_acc_list = []
    test_acc_list = []

    for i in range(iters_num):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]

        W1, b1, W2, b2, loss = train_step(x_batch, t_batch, W1, b1, W2, b2, learning_rate)
        train_loss_list.append(loss)

        if i % iter_per_epoch == 0:
            train_acc = accuracy(W1, b1, W2, b2, x_train, t_train)
            test_acc = accuracy(W1, b1, W2, b2, x_test, t_test)
            train_acc_list.append(train_acc)
            test_acc_list.append(test_acc)
            print(f"epoch {i // iter_per_epoch}: train acc {train_acc:.4f}, test acc {test_acc:.4f}")

    print("final test accuracy:", accuracy(W1, b1, W2, b2, x_test, t_test))
