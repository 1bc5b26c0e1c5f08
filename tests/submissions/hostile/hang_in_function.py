# attack: softmax loops forever (busy loop, never returns)
# loses: softmax


def softmax(x):
    while True:
        pass
