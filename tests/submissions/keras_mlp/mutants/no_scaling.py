# bug: preprocess flattens the images but keeps the pixels at 0 to 255
# loses: preprocess, network
# cause: the pixels are not scaled
def preprocess(images):
    return np.asarray(images).reshape(len(images), 784).astype(np.float32)
