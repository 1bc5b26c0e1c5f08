# style: the functional API, objects instead of names (Adam(), the loss and metric classes), the
# categorical loss with one-hot labels, train returning the history's dict
import numpy as np
import keras
from keras import layers


def preprocess(images):
    images = np.asarray(images, dtype=np.float32)
    return np.reshape(images, (images.shape[0], 28 * 28)) / np.float32(255)


def build_model():
    inputs = keras.Input(shape=(784,))
    hidden = layers.Dense(50, activation=keras.activations.sigmoid)(inputs)
    outputs = layers.Dense(10, activation=keras.activations.softmax)(hidden)
    return keras.Model(inputs=inputs, outputs=outputs)


def compile_model(model):
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.CategoricalCrossentropy(),
                  metrics=[keras.metrics.CategoricalAccuracy()])
    return model


def train(model, x, y):
    return model.fit(x, keras.utils.to_categorical(y, 10), batch_size=32, epochs=3, verbose=0).history
