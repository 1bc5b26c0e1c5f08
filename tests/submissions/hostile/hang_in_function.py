# attack: softmax loops forever (busy loop, never returns)
# loses: softmax, network


def softmax(x):
    while True:
        pass
