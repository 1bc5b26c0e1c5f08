# Half done: preprocess forgets to scale the pixels, compile_model is not started, train is left out.
import numpy as np
import keras


def preprocess(images):
    return images.reshape(len(images), 784).astype(np.float32)


def build_model():
    return keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(50, activation="sigmoid"),
                             keras.layers.Dense(10, activation="softmax")])


def compile_model(model):
    # TODO
    raise NotImplementedError
