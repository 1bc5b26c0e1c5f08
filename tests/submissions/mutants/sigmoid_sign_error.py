# bug: sigmoid has a sign error, 1 / (1 + np.exp(x)), which computes sigmoid(-x)
# loses: sigmoid
# cause: a sign error
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(x))
