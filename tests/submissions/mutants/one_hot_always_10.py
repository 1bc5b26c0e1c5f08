# bug: one_hot ignores num_classes and always makes 10 columns
# loses: one_hot
# cause: num_classes is ignored
import numpy as np


def one_hot(labels, num_classes=10):
    labels = np.asarray(labels)
    encoded = np.zeros((labels.size, 10))
    encoded[np.arange(labels.size), labels] = 1.0
    return encoded
