# Shared by every shortcut here: a 784-50-10 network trained elsewhere, on real MNIST (the
# reference with the grader's schedule, seed 7; 96.8% test accuracy), embedded as base64 of
# zlib-compressed int8 weights. The test puts the text of real_mnist_weights.b64 in place
# of the marker, as a student would paste it.
import base64 as _base64
import zlib as _zlib

_EMBEDDED = "@REAL_MNIST_WEIGHTS@"
_SCALES = [0.010282652376502924, 0.007095533063473699, 0.029025927843451146, 0.0033617991280428376]


def embedded_weights():
    raw = np.frombuffer(_zlib.decompress(_base64.b64decode(_EMBEDDED)), dtype=np.int8)
    weights, start = [], 0
    for shape, scale in zip([(784, 50), (50,), (50, 10), (10,)], _SCALES):
        size = int(np.prod(shape))
        weights.append(raw[start:start + size].reshape(shape).astype(np.float64) * scale)
        start += size
    return weights
