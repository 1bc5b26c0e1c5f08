# bug: softmax subtracts the global max and divides by np.sum(e) over the whole array, so a batch sums to 1 in total
# loses: softmax
# cause: divided by the sum of the whole batch
import numpy as np


def softmax(x):
    x = x - np.max(x)
    e = np.exp(x)
    return e / np.sum(e)
