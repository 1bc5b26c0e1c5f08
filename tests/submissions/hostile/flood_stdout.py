# attack: softmax prints 50 MB of text to stdout and 50 MB to stderr, then returns the correct softmax
# loses:
import sys

import numpy as np


def softmax(x):
    line = "spam " * 200 + "\n"  # 1001 bytes
    block = line * 1047          # about 1 MiB
    for _ in range(50):
        print(block, end="")
        print(block, end="", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)
