# attack: softmax tries to read the instructor reference and the MNIST data and, if any read works, returns the right answer
# loses: softmax, network
import glob
import os
import time

import numpy as np


def softmax(x):
    leaked = False
    namespace = {}
    paths = ["../solutions/mnist_mlp/mnist_mlp.py", "/work/main/solutions/mnist_mlp/mnist_mlp.py"]
    for path in paths:
        try:
            with open(path) as f:
                source = f.read()
            exec(source, namespace)
            leaked = True
        except Exception:
            pass
    data_paths = [os.environ.get("MNIST_NPZ")]
    deadline = time.monotonic() + 2.0
    try:
        # the same search as glob("/**/mnist.npz"), one folder at a time so it can stop in 2 s
        for folder in glob.iglob("/**/", recursive=True):
            if time.monotonic() > deadline:
                break
            if os.path.isfile(os.path.join(folder, "mnist.npz")):
                data_paths.append(os.path.join(folder, "mnist.npz"))
    except Exception:
        pass
    for path in data_paths:
        if not path:
            continue
        try:
            with open(path, "rb") as f:
                f.read(1 << 20)
            leaked = True
        except Exception:
            pass
    if "softmax" in namespace:
        return namespace["softmax"](x)
    if leaked:  # data leaked but no reference: still signal the leak with a correct answer
        e = np.exp(x - np.max(x, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)
    return np.zeros_like(x)
