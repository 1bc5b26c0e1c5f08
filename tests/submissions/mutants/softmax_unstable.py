# bug: softmax does not subtract the max before np.exp, so large logits overflow to inf/nan
# loses: softmax
# cause: np.exp overflowed
import numpy as np


def softmax(x):
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)
