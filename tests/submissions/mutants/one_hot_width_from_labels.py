# bug: one_hot takes its width from the labels present (labels.max() + 1) instead of num_classes
# loses: one_hot
# cause: the width comes from the labels
import numpy as np


def one_hot(labels, num_classes=10):
    labels = np.asarray(labels)
    encoded = np.zeros((labels.size, labels.max() + 1))
    encoded[np.arange(labels.size), labels] = 1.0
    return encoded
