# bug: softmax subtracts the max of the whole batch (np.max(x)) instead of each row's max, so a row far below it underflows to 0 / 0
# loses: softmax
# cause: the max of the whole batch was subtracted
import numpy as np


def softmax(x):
    e = np.exp(x - np.max(x))
    return e / np.sum(e, axis=-1, keepdims=True)
