# bug: sigmoid is written 1 / 1 + np.exp(-x): operator precedence makes it 1 + exp(-x)
# loses: sigmoid
# cause: operator precedence
import numpy as np


def sigmoid(x):
    return 1 / 1 + np.exp(-x)
