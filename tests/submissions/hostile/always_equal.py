# attack: softmax returns an object that compares equal to anything and fakes float/len/indexing (no __array__)
# loses: softmax, network
import numpy as np


class AlwaysEqual:
    """Claims to be whatever the grader expects; deliberately has no __array__."""

    dtype = np.dtype(np.float64)

    def __init__(self, shape):
        self.shape = shape
        self.ndim = len(shape)
        self.size = int(np.prod(shape)) if shape else 1

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __le__(self, other):
        return True

    def __ge__(self, other):
        return True

    def __lt__(self, other):
        return False

    def __gt__(self, other):
        return False

    def __hash__(self):
        return 0

    def __bool__(self):
        return True

    def __float__(self):
        return 1.0  # "rows sum to 1"

    def __int__(self):
        return 1

    def __index__(self):
        return 1

    def __len__(self):
        return self.shape[0] if self.shape else 1

    def __getitem__(self, key):
        return self

    def __iter__(self):
        return iter([self] * len(self))

    def __abs__(self):
        return self

    def __neg__(self):
        return self

    def __add__(self, other):
        return self

    __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __add__

    def sum(self, *args, **kwargs):
        return self

    def __repr__(self):
        return "array(" + repr(self.shape) + ")"


def softmax(x):
    return AlwaysEqual(np.shape(x))
