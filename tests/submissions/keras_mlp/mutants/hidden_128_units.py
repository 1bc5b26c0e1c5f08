# bug: 128 hidden units, the size of another tutorial, not the lesson's 50
# loses: build_model, network
# cause: the hidden layer has 128 units
def build_model():
    return keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(128, activation="sigmoid"),
                             keras.layers.Dense(10, activation="softmax")])
