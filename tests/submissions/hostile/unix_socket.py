# attack: softmax tries unix sockets: it connects to the abstract socket the test listens on and to the host's well-known socket files (D-Bus, Docker, systemd), and sends a datagram to that abstract name from a socketpair; it answers wrongly if anything gets through
# loses:
import socket

import numpy as np

ABSTRACT = "\0autograder-hostile-unix-socket"
FILES = ("/run/dbus/system_bus_socket", "/var/run/docker.sock", "/run/systemd/private", "/run/systemd/notify")
_reached = []  # tried once: the training run calls softmax thousands of times


def _try():
    reached = False
    for address in (ABSTRACT, *FILES):
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(1)
                s.connect(address)
                reached = True
        except OSError:
            pass
    try:
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        with a, b:
            a.sendto(b"hello from a submission", ABSTRACT)
            reached = True
    except OSError:
        pass
    return reached


def softmax(x):
    if not _reached:
        _reached.append(_try())
    if _reached[0]:
        return np.zeros_like(x)
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)
