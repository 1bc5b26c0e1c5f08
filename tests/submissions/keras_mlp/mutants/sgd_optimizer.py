# bug: plain SGD, the optimizer of the lesson's NumPy half, not Adam
# loses: compile_model, network
# cause: the lesson trains with Adam
def compile_model(model):
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
