# %% [markdown]
# # A two-layer perceptron on MNIST, in Keras
#
# The lesson's first half: the 784-50-10 network `Dense(50, sigmoid) -> Dense(10, softmax)`,
# trained with Adam on the sparse categorical cross-entropy, 10 epochs of batches of 32: about
# 97% test accuracy with 39,760 parameters. Implement the four functions marked
# `YOUR CODE HERE`; `train` is optional (the grader trains your model itself, on its own
# schedule, and checks every step).
#
# Check your work at any time with `python -m autograder check` (see README).
# Only the definitions in this file are graded: training or plotting code
# elsewhere in the file (or notebook) is ignored by the grader.

# %%
import numpy as np
import keras

# %% [markdown]
# ## The data
#
# `keras.datasets.mnist.load_data()` gives images as `uint8` arrays of shape `(N, 28, 28)`
# with values 0 to 255, and integer labels 0 to 9.

# %%
def preprocess(images):
    """Raw MNIST images ``(N, 28, 28)`` of uint8 -> the network's input: float32 ``(N, 784)`` in [0, 1]."""
    # YOUR CODE HERE
    raise NotImplementedError("flatten each image to 784 numbers, make them float32, and scale 0..255 to 0..1")


# %% [markdown]
# ## The model

# %%
def build_model():
    """The lesson's network: a ``keras.Sequential`` of Dense(50, sigmoid) on inputs of shape (784,),
    then Dense(10, softmax). 39,760 parameters."""
    # YOUR CODE HERE
    raise NotImplementedError("a keras.Sequential of two keras.layers.Dense layers; the model needs its input shape, (784,)")


# %%
def compile_model(model):
    """Compile ``model`` as the lesson does: the Adam optimizer, the sparse categorical
    cross-entropy loss (the labels are integers) and the accuracy metric. Returns the model."""
    # YOUR CODE HERE
    raise NotImplementedError("model.compile takes an optimizer, a loss and a list of metrics, each by its Keras name")


# %% [markdown]
# ## Training (optional)
#
# The lesson trains for 10 epochs of batches of 32. The grader does not call `train`: it
# trains your model on its own schedule. If you write `train`, it is checked on a small batch:
# it must fit the compiled model to `x` and `y` and return the `History` that `fit` returns.
# Leaving it as it is costs nothing.

# %%
def train(model, x, y, epochs=10):
    """Fit the compiled ``model`` to ``x`` (preprocessed) and integer labels ``y``, ``epochs``
    epochs of batches of 32; return the History ``fit`` returns."""
    # YOUR CODE HERE
    raise NotImplementedError("model.fit trains the model and returns its History")
