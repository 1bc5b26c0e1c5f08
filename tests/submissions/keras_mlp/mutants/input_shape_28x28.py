# bug: the model takes (28, 28) images, but preprocess flattens them to 784 numbers
# loses: build_model, network
# cause: preprocess flattens every image to 784 numbers
def build_model():
    return keras.Sequential([keras.layers.Dense(50, activation="sigmoid", input_shape=(28, 28)),
                             keras.layers.Dense(10, activation="softmax")])
