# bug: sigmoid uses math.exp, which takes one number, so it fails on every array
# loses: sigmoid
# cause: math.exp works on one number only
import math


def sigmoid(x):
    return 1 / (1 + math.exp(-x))
