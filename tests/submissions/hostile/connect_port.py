# attack: softmax tries to reach local ports and example.com; it returns a wrong answer only if a connection succeeds
# loses:
import socket
import urllib.request

import numpy as np


def softmax(x):
    connected = False
    for port in (22, 80, 443, 5432, 6379, 8000, 8080, 8888):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            connected = True
        except OSError:
            pass
    try:
        urllib.request.urlopen("http://example.com", timeout=3).close()
        connected = True
    except Exception:
        pass
    if connected:
        return np.zeros_like(x)
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)
