# attack: softmax kills its own interpreter with os._exit(0), skipping all cleanup
# loses: softmax, network
import os


def softmax(x):
    os._exit(0)
