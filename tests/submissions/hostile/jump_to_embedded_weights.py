# attack: train_step trains honestly for 300 steps of the grader's run, then returns weights trained
# elsewhere on real MNIST (96.8% test accuracy, embedded in the file). Any jump, at any step, to
# weights that were not trained here (embedded, or recovered by undoing a permutation of the data)
# ends the run at that step
# loses: network
_honest_train_step = train_step
_steps = []


def train_step(X, Y, W1, b1, W2, b2, learning_rate=0.1, verbose=False):
    if np.shape(X) == (100, 784):
        _steps.append(1)
        if len(_steps) > 300:
            return (*embedded_weights(), 0.1)
    return _honest_train_step(X, Y, W1, b1, W2, b2, learning_rate, verbose)
