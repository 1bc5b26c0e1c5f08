# attack: softmax raises SystemExit via sys.exit(0)
# loses: softmax
import sys


def softmax(x):
    sys.exit(0)
