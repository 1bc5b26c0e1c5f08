# bug: one_hot writes encoded[labels] = 1, which sets whole rows instead of one entry per row
# loses: one_hot
# cause: whole rows were set
import numpy as np


def one_hot(labels, num_classes=10):
    labels = np.asarray(labels)
    encoded = np.zeros((labels.size, num_classes))
    encoded[labels] = 1.0
    return encoded
