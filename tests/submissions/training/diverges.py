# training: the lesson's loss (no epsilon in the log) with an update_params that adds the
# gradient (ascent, not descent): left alone the loss would become infinite; the grader stops
# the run at the first step, whose update is not the SGD step
# loses: train_step, network
# stopped: at step 0, train_step's update of W1 is not the SGD step


def cross_entropy_error(y, t):
    t = np.array(t)
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t])) / batch_size


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate):
    W1 = W1 + learning_rate * dW1
    b1 = b1 + learning_rate * db1
    W2 = W2 + learning_rate * dW2
    b2 = b2 + learning_rate * db2
    return W1, b1, W2, b2
