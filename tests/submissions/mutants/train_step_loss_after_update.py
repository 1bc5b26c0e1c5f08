# bug: train_step returns the loss computed AFTER the update instead of the loss before it
# loses: train_step
# cause: the loss is computed after the update


def train_step(X, Y, W1, b1, W2, b2, learning_rate=0.1, verbose=False):
    n = X.shape[0]
    a1, cache1 = affine_layer_forward(X, W1, b1)
    z1 = sigmoid(a1)
    a2, cache2 = affine_layer_forward(z1, W2, b2)
    probs = softmax(a2)

    dscores = (probs - one_hot(Y, probs.shape[1])) / n
    dz1, dW2, db2 = affine_layer_backward(dscores, cache2)
    da1 = dz1 * sigmoid_grad(a1)
    _, dW1, db1 = affine_layer_backward(da1, cache1)
    W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate)

    h, _ = affine_layer_forward(X, W1, b1)
    out, _ = affine_layer_forward(sigmoid(h), W2, b2)
    loss = cross_entropy_error(softmax(out), Y)
    if verbose:
        print(f"loss {loss:.4f}")
    return W1, b1, W2, b2, loss
