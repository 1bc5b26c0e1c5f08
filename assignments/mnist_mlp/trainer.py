"""The trusted side of the grader's training run for mnist_mlp (``grade`` and ``check --train``).

Runs in the grader, never with student code. It decides where training starts and which
batch every step gets; the harness (harness.py, in the sandbox) only runs one
``train_step`` on each batch it is sent. It also scores the weights the grader kept, with
the network's forward pass written here once more, so a wrong student function cannot
flatter the score.
"""
import numpy as np


def initial_params(schedule):
    """The grader's initial weights, seeded by the schedule: every run starts alike."""
    r = np.random.default_rng(schedule["seed"])
    sizes = schedule["layers"]
    return [schedule["weight_init_std"] * r.standard_normal((sizes[0], sizes[1])), np.zeros(sizes[1]),
            schedule["weight_init_std"] * r.standard_normal((sizes[1], sizes[2])), np.zeros(sizes[2])]


def step_kwargs(schedule):
    """What every step is sent besides the batch: the learning rate train_step takes."""
    return {"learning_rate": schedule["learning_rate"]}


def batches(images, labels, schedule):
    """What each step is sent: a batch of raw images (uint8, flattened) and their labels."""
    rng = np.random.default_rng(schedule["seed"])
    images = images.reshape(len(images), -1)
    while True:
        pick = rng.integers(0, len(images), schedule["batch_size"])
        yield images[pick], labels[pick].astype(np.int64)


def inputs(images):
    """The network's input for raw images: pixels in [0, 1], as the harness gives them to train_step."""
    return np.asarray(images).reshape(len(images), -1).astype(np.float64) / 255.0


def accuracy(W1, b1, W2, b2, X, y):
    """Fraction of ``X`` whose highest output (softmax keeps the order) is the label ``y``."""
    hidden = 1.0 / (1.0 + np.exp(-np.clip(X @ W1 + b1, -500, 500)))
    return float(np.mean(np.argmax(hidden @ W2 + b2, axis=1) == np.asarray(y)))


def loss(W1, b1, W2, b2, X, y):
    """Mean cross-entropy of the network on ``X`` (for the curves)."""
    hidden = 1.0 / (1.0 + np.exp(-np.clip(X @ W1 + b1, -500, 500)))
    logits = hidden @ W2 + b2
    logits = logits - logits.max(axis=1, keepdims=True)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return float(-np.mean(log_probs[np.arange(len(y)), np.asarray(y)]))
