"""The trusted side of the grader's training run for keras_mlp (``grade`` and ``check --train``).

Runs in the grader, never with student code, and never imports TensorFlow. It decides where
training starts (Keras's own initialisation, drawn here from the schedule's seed) and which
batch every step gets (the epochs' shuffles); the harness (harness.py, in the sandbox) only
runs one ``train_on_batch`` of the student's model on each batch it is sent. It also scores
the weights the grader kept, with the lesson's forward pass written here in NumPy, so nothing
the student's model says about itself flatters the score.
"""
import numpy as np


def glorot_uniform(rng, fan_in, fan_out):
    """Keras's default kernel initialiser: uniform in +-sqrt(6 / (fan_in + fan_out))."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


def initial_params(schedule):
    """The grader's initial weights, as Keras would draw them (Glorot-uniform kernels, zero
    biases, float32), seeded by the schedule: every run starts alike."""
    rng = np.random.default_rng(schedule["seed"])
    sizes = schedule["layers"]
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        params += [glorot_uniform(rng, fan_in, fan_out), np.zeros(fan_out, np.float32)]
    return params


def step_kwargs(schedule):
    """What every step is sent besides the batch: nothing (the optimiser is the student's model's)."""
    return {}


def batches(images, labels, schedule):
    """What each step is sent: raw images (uint8, as mnist.load_data gives them) and integer labels,
    epoch after epoch, each epoch a seeded shuffle cut into batches (as ``fit`` does)."""
    rng = np.random.default_rng(schedule["seed"])
    size = schedule["batch_size"]
    while True:
        order = rng.permutation(len(labels))
        for start in range(0, len(order) - size + 1, size):
            pick = order[start:start + size]
            yield np.asarray(images[pick]), np.asarray(labels[pick]).astype(np.int64)


def inputs(images):
    """The network's input for raw images: flat pixels in [0, 1] (what ``preprocess`` must return)."""
    return np.asarray(images).reshape(len(images), -1).astype(np.float64) / 255.0


def _logits(W1, b1, W2, b2, X):
    hidden = 1.0 / (1.0 + np.exp(-np.clip(X @ W1 + b1, -500, 500)))
    return hidden @ W2 + b2


def accuracy(W1, b1, W2, b2, X, y):
    """Fraction of ``X`` whose highest output (softmax keeps the order) is the label ``y``."""
    return float(np.mean(np.argmax(_logits(W1, b1, W2, b2, X), axis=1) == np.asarray(y)))


def loss(W1, b1, W2, b2, X, y):
    """Mean cross-entropy of the network on ``X`` (for the curves)."""
    logits = _logits(W1, b1, W2, b2, X)
    logits = logits - logits.max(axis=1, keepdims=True)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return float(-np.mean(log_probs[np.arange(len(y)), np.asarray(y)]))
