# attack: before each honest step, train_step asks the grader for the reference's one_hot of ten
# labels in 20,000,000 classes: 1.6 GB of float64, built in the grader's memory if it answered.
# The grader must refuse and stay small; the honest step keeps every point
# loses:
import json as _json
import sys as _sys

_honest_train_step = train_step


def _ask_the_grader(name, *args):
    from autograder import wire
    config = _json.loads(_sys.argv[-1])
    wire.send(config["fd_out"], {"callback": name, "args": list(args), "kwargs": {}})
    return wire.Reader(config["fd_in"]).receive()


def train_step(X, Y, W1, b1, W2, b2, learning_rate=0.1, verbose=False):
    _ask_the_grader("one_hot", np.arange(10), 20_000_000)
    return _honest_train_step(X, Y, W1, b1, W2, b2, learning_rate, verbose)
