# training: update_params updates W1 with W2's gradient, so the very first step raises
# loses: train_step, network
# stopped: ValueError in update_params at step 0


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate):
    W1 = W1 - learning_rate * dW2
    b1 = b1 - learning_rate * db1
    W2 = W2 - learning_rate * dW2
    b2 = b2 - learning_rate * db2
    return W1, b1, W2, b2
