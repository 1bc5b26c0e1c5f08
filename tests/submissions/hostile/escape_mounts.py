# attack: softmax tries to unmount the masks and remount the read-only folders writable, directly and from a user namespace of its own; it answers wrongly if anything works
# loses:
import ctypes
import os

import numpy as np

MS_RDONLY, MS_REMOUNT, MS_BIND, MNT_DETACH = 1, 32, 4096, 2
CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000


def _attempt(libc):
    """1 if any mount could be undone or made writable, else 0."""
    try:
        with open("/proc/self/mountinfo") as f:
            mounts = [(line.split()[4], "ro" in line.split()[5].split(",")) for line in f]
    except OSError:  # no /proc to read (Landlock): try the usual places blind
        mounts = [(path, True) for path in ("/usr", "/etc", "/tmp", "/home", "/root")]
    escaped = 0
    for target, read_only in reversed(mounts):
        if target in ("/", "/proc"):
            continue
        if read_only and libc.mount(None, target.encode(), None, MS_REMOUNT | MS_BIND, None) == 0:
            escaped = 1  # read-write again
        if libc.umount2(target.encode(), MNT_DETACH) == 0:
            escaped = 1  # what lay beneath is uncovered
    return escaped


_escaped = []  # tried once: the training run calls softmax thousands of times


def softmax(x):
    if not _escaped:
        _escaped.append(_try_in_a_child())
    if _escaped[0]:
        return np.zeros_like(x)
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def _try_in_a_child():
    pid = os.fork()
    if pid == 0:
        escaped = 0
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            escaped = _attempt(libc)
            if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0:
                escaped |= _attempt(libc)
        finally:
            os._exit(escaped)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) != 0
