# bug: one_hot builds the matrix as (num_classes, N) instead of (N, num_classes)
# loses: one_hot
# cause: the result is transposed
import numpy as np


def one_hot(labels, num_classes=10):
    labels = np.asarray(labels)
    encoded = np.zeros((num_classes, labels.size))
    encoded[labels, np.arange(labels.size)] = 1.0
    return encoded
