# attack: implements nothing: each graded function asks the grader, over the sandbox's own pipe
# (its file descriptors are in sys.argv), for the reference's answer to its own call
# loses: sigmoid, softmax, one_hot, cross_entropy_error, affine_layer_backward, train_step, network
import json as _json
import sys as _sys


def _ask_the_grader(name, *args, **kwargs):
    from autograder import wire
    config = _json.loads(_sys.argv[-1])
    wire.send(config["fd_out"], {"callback": name, "args": list(args), "kwargs": kwargs})
    reply = wire.Reader(config["fd_in"]).receive()
    if "error" in reply:
        raise RuntimeError(reply["error"])
    return reply["value"]


def sigmoid(x):
    return _ask_the_grader("sigmoid", x)


def softmax(x):
    return _ask_the_grader("softmax", x)


def one_hot(labels, num_classes=10):
    return _ask_the_grader("one_hot", labels, num_classes)


def cross_entropy_error(y, t):
    return _ask_the_grader("cross_entropy_error", y, t)


def affine_layer_backward(dout, cache):
    return _ask_the_grader("affine_layer_backward", dout, cache)


def train_step(X, Y, W1, b1, W2, b2, learning_rate=0.1, verbose=False):
    return _ask_the_grader("train_step", X, Y, W1, b1, W2, b2, learning_rate)
