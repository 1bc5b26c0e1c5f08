# bug: the hidden layer uses relu, the activation most tutorials use, not the lesson's sigmoid
# loses: build_model, network
# cause: the hidden layer uses relu


def build_model():
    return keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(50, activation="relu"),
                             keras.layers.Dense(10, activation="softmax")])
