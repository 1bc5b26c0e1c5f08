# attack: floods the trusted side through the protocol: sigmoid, softmax and one_hot send 500
# callback requests a call; the others fail with replies put together past the child's own
# limits (its call method, patched through gc): 300,000-character messages and printed text,
# a thousand distinct warnings, each just under what one reply may hold
# loses: sigmoid, softmax, one_hot, cross_entropy_error, affine_layer_backward, train_step, network
import gc as _gc
import json as _json
import sys as _sys
import warnings as _warnings


def _patch_the_child():
    for obj in _gc.get_objects():
        if type(obj).__name__ == "_Server" and not getattr(obj, "_flooded", False):
            obj._flooded = True
            honest_call = obj.call

            def call(request, honest_call=honest_call):  # just under the 1 MB a reply may take
                reply = honest_call(request)
                reply["warnings"] = [f"UserWarning: flood {i} " + "w" * 180 for i in range(1_000)]
                reply["printed"] = "p" * 300_000
                if not reply.get("ok"):
                    reply["error"] = {"type": "E" * 5000, "message": "m" * 300_000, "where": "w" * 50_000,
                                      "function": "f" * 50_000}
                return reply
            obj.call = call


def _flood_with_callbacks(value):
    from autograder import wire
    config = _json.loads(_sys.argv[-1])
    for _ in range(500):
        wire.send(config["fd_out"], {"callback": "softmax", "args": [np.zeros((2, 2))], "kwargs": {}})
        wire.Reader(config["fd_in"]).receive()
    return value


def _flood_with_words(value):
    _patch_the_child()
    for i in range(100_000):
        _warnings.warn(f"distinct warning {i}")
    print("x" * 10_000_000)
    raise ValueError("y" * 5_000_000)


def sigmoid(x):
    return _flood_with_callbacks(x)


def softmax(x):
    return _flood_with_callbacks(x)


def one_hot(labels, num_classes=10):
    return _flood_with_callbacks(labels)


def cross_entropy_error(y, t):
    return _flood_with_words(y)


def affine_layer_backward(dout, cache):
    return _flood_with_words(dout)


def train_step(X, Y, W1, b1, W2, b2, learning_rate=0.1, verbose=False):
    return _flood_with_words(X)
