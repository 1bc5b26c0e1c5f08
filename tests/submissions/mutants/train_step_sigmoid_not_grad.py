# bug: train_step multiplies by sigmoid(a1) in the backward pass where sigmoid_grad(a1) belongs
# loses: train_step
# cause: multiplies by sigmoid(a1)


def train_step(X, Y, W1, b1, W2, b2, learning_rate=0.1, verbose=False):
    n = X.shape[0]
    a1, cache1 = affine_layer_forward(X, W1, b1)
    z1 = sigmoid(a1)
    a2, cache2 = affine_layer_forward(z1, W2, b2)
    probs = softmax(a2)
    loss = cross_entropy_error(probs, Y)

    dscores = (probs - one_hot(Y, probs.shape[1])) / n
    dz1, dW2, db2 = affine_layer_backward(dscores, cache2)
    da1 = dz1 * sigmoid(a1)
    _, dW1, db1 = affine_layer_backward(da1, cache1)
    W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, learning_rate)
    if verbose:
        print(f"loss {loss:.4f}")
    return W1, b1, W2, b2, loss
