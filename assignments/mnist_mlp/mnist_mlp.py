# %% [markdown]
# # A two-layer perceptron for MNIST, from scratch in NumPy
#
# You will build the 784-50-10 network `affine -> sigmoid -> affine -> softmax`,
# train it with cross-entropy loss and plain SGD on mini-batches of 100, and
# reach about 97% test accuracy. Implement the six functions marked
# `YOUR CODE HERE`; everything else is given.
#
# Check your work at any time with `python -m autograder check` (see README).
# Only the definitions in this file are graded: training or plotting code
# elsewhere in the file (or notebook) is ignored by the grader.

# %%
import numpy as np

# %% [markdown]
# ## Activations

# %%
def sigmoid(x):
    """Element-wise logistic function 1 / (1 + exp(-x)); same shape as ``x``."""
    # YOUR CODE HERE
    raise NotImplementedError("use np.exp; the result has the same shape as x")


def sigmoid_grad(x):
    """Derivative of the sigmoid at ``x`` (given)."""
    s = sigmoid(x)
    return (1.0 - s) * s


# %%
def softmax(x):
    """Softmax of a 1-D vector, or of each row of a 2-D batch ``(N, K)``.

    Must be numerically stable: logits of +-1000 must not give inf or nan.
    """
    # YOUR CODE HERE
    raise NotImplementedError("subtract each row's max before np.exp, then divide by the row sum")


# %% [markdown]
# ## Labels and loss

# %%
def one_hot(labels, num_classes=10):
    """Integer labels ``(N,)`` -> float array ``(N, num_classes)`` of one-hot rows."""
    # YOUR CODE HERE
    raise NotImplementedError("start from np.zeros((N, num_classes)) and set one entry per row")


# %%
def cross_entropy_error(y, t):
    """Mean cross-entropy of probabilities ``y`` against targets ``t``.

    ``y`` is ``(N, K)`` or ``(K,)``; ``t`` is one-hot of the same shape, or
    integer labels ``(N,)`` (a single int for 1-D ``y``). Returns a Python float.
    """
    # YOUR CODE HERE
    raise NotImplementedError("pick each row's probability of the true class, take -log, average over N")


# %% [markdown]
# ## Affine layer

# %%
def affine_layer_forward(X, W, b):
    """``X @ W + b`` for a batch ``X (N, D)``, ``W (D, M)``, ``b (M,)`` (given).

    Returns ``(out, cache)`` with ``cache = (X, W, b)``.
    """
    out = X @ W + b
    cache = (X, W, b)
    return out, cache


def affine_layer_backward(dout, cache):
    """Backward pass of the affine layer.

    ``dout (N, M)`` is the upstream gradient, ``cache = (X, W, b)`` as returned
    by ``affine_layer_forward``. Returns ``(dX, dW, db)`` with the shapes of
    ``X``, ``W`` and ``b``.
    """
    # YOUR CODE HERE
    raise NotImplementedError("dX = dout W^T, dW = X^T dout, db sums dout over the batch axis")


# %% [markdown]
# ## Parameters

# %%
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


# %% [markdown]
# ## One SGD step

# %%
def train_step(X, Y, W1, b1, W2, b2, learning_rate=0.1, verbose=False):
    """One SGD step of the two-layer network on the batch ``X (N, 784)``.

    ``Y`` holds integer labels ``(N,)``. Forward: affine -> sigmoid -> affine
    -> softmax; loss: mean cross-entropy; backward through both affine layers;
    update with ``update_params``. Returns ``(W1, b1, W2, b2, loss)`` where
    ``loss`` is the loss *before* the update.
    """
    # YOUR CODE HERE
    raise NotImplementedError("the gradient of mean cross-entropy w.r.t. the logits is (probs - one_hot) / N")


# %% [markdown]
# ## Prediction

# %%
def predict(W1, b1, W2, b2, X):
    """Class probabilities ``(N, 10)`` for a batch ``X`` (given)."""
    a1, _ = affine_layer_forward(X, W1, b1)
    a2, _ = affine_layer_forward(sigmoid(a1), W2, b2)
    return softmax(a2)


def accuracy(W1, b1, W2, b2, X, y):
    """Fraction of ``X`` whose most probable class equals the label in ``y`` (given)."""
    return float(np.mean(np.argmax(predict(W1, b1, W2, b2, X), axis=1) == np.asarray(y)))
