# attack: softmax raises SystemExit via sys.exit(0)
# loses: softmax, network
import sys


def softmax(x):
    sys.exit(0)
