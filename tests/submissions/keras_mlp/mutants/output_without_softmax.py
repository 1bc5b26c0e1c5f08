# bug: the output layer has no activation, so the model returns logits where the loss expects probabilities
# loses: build_model, network
# cause: the output layer has no activation
def build_model():
    return keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(50, activation="sigmoid"),
                             keras.layers.Dense(10)])
