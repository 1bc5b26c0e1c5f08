# bug: compile_model picks the categorical loss, but train feeds it the integer labels as they are
# loses: train
# cause: the loss and the labels disagree
def compile_model(model):
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def train(model, x, y, epochs=10):
    return model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
