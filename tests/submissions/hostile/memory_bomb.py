# attack: softmax allocates ever-growing lists and arrays until MemoryError or the address-space limit
# loses: softmax, network
import numpy as np


def softmax(x):
    hoard = []
    size = 1 << 20
    while True:
        hoard.append([0.0] * size)   # a list of `size` pointers
        hoard.append(np.ones(size))  # touched memory, not just reserved
        size *= 2
