# attack: softmax returns a list nested 10,000 levels deep, to break a recursive encoder or comparison
# loses: softmax, network


def softmax(x):
    nested = []
    for _ in range(10000):
        nested = [nested]
    return nested
