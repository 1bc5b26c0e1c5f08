# training: a beginner's affine_layer_backward that computes dX and dW number by number in Python
# loops: right, and quick on the checks' small inputs, but far too slow for 784x50 weights and a
# batch of 100 (about three times the grader's CPU budget per step), so the grader stops the run
# loses: network
# stopped: train_step is too slow


def affine_layer_backward(dout, cache):
    X, W, b = cache
    dX = np.zeros_like(X)
    for n in range(X.shape[0]):
        for i in range(X.shape[1]):
            dX[n, i] = np.dot(dout[n], W[i])
    dW = np.zeros_like(W)
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            dW[i, j] = np.dot(X[:, i], dout[:, j])
    db = np.sum(dout, axis=0)
    return dX, dW, db
