# training: a beginner's affine_layer_backward that computes dW weight by weight in Python
# loops: right, and quick on the checks' small inputs, but far too slow for 784x50 weights,
# so the grader stops the run
# loses: network
# stopped: train_step is too slow


def affine_layer_backward(dout, cache):
    X, W, b = cache
    dX = np.dot(dout, W.T)
    dW = np.zeros_like(W)
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            dW[i, j] = np.dot(X[:, i], dout[:, j])
    db = np.sum(dout, axis=0)
    return dX, dW, db
