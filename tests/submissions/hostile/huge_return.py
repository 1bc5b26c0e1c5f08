# attack: softmax returns np.zeros((20000, 20000)), 3.2 GB, beyond the memory limit
# loses: softmax, network
import numpy as np


def softmax(x):
    return np.zeros((20000, 20000))
