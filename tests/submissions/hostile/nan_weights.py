# attack: train_step is correct, except that at the 600th step of the grader's training run it
# returns nan weights with a finite loss (what an honest run that diverges can return), then
# carries on from its own copy of the last good weights. The run stops there, the curves up to
# it are still drawn, and nothing it returned after that step counts
# loses: network
_honest_train_step = train_step
_kept = {"calls": 0}


def train_step(X, Y, W1, b1, W2, b2, learning_rate=0.1, verbose=False):
    if np.shape(X) != (100, 784):
        return _honest_train_step(X, Y, W1, b1, W2, b2, learning_rate, verbose)
    _kept["calls"] += 1
    if not np.isfinite(W1).all():
        W1 = _kept["W1"]
    W1, b1, W2, b2, loss = _honest_train_step(X, Y, W1, b1, W2, b2, learning_rate, verbose)
    _kept["W1"] = W1
    if _kept["calls"] == 600:
        return W1 * np.nan, b1, W2, b2, loss
    return W1, b1, W2, b2, loss
