"""The ``landlock`` confinement level, for hosts that forbid namespaces.

Gradescope's Docker (root without ``CAP_SYS_ADMIN``, ``unshare`` refused) and kernels with
user namespaces disabled cannot build the full jail. Every process may still give up
rights for good, and the child does so before any student code runs:

1. as root, it becomes a uid of its own (``jail.sandbox_uid``: no files, no other
   processes on the host) with no supplementary groups;
2. Landlock (landlock.py) lets it read only the system folders, the interpreter, the venv,
   the engine and the public assignment folder, write only its own temporary folder,
   make no TCP connection, and (ABI >= 6) signal or reach through abstract unix sockets
   only processes it started;
3. seccomp (seccomp.py) takes away sockets, ptrace and other processes' memory, namespaces
   and mounts, and leaving its process group; no_new_privs, so no setuid program gives
   anything back.

Without a PID namespace, the trusted side kills the child's process group, which nothing
the child starts can leave, and reaps the orphans itself (it is their subreaper).
"""
import ctypes
import ctypes.util
import functools
import os
import signal
import time

from . import jail, landlock, seccomp

SYSTEM_TREES = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc",
                "/sys/devices/system/cpu")  # the C library reads the CPU count there
DEVICES = ("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom")
PR_SET_CHILD_SUBREAPER = 36


def plan(keep, hide, workdir, uid):
    """The child's rules (trusted side): what it may read and write, and its uid (None: keep ours)."""
    read = landlock.outside(SYSTEM_TREES, hide) + sorted({os.path.realpath(p) for p in keep if os.path.exists(p)})
    return {"read": read, "write": [workdir], "devices": list(DEVICES), "uid": uid, "libraries": libraries()}


@functools.lru_cache(maxsize=1)
def libraries():
    """The C libraries landlockpy and pyseccomp load, as ctypes finds them (once, here)."""
    return {name: ctypes.util.find_library(name) for name in ("c", "seccomp")}


def _use_known_libraries(names):
    """landlockpy and pyseccomp look their libraries up with ctypes.util.find_library, which forks
    ldconfig: slow, and a process the child would start before it is confined (and count against
    its process limit). The child takes the trusted side's answers instead."""
    lookup = ctypes.util.find_library
    ctypes.util.find_library = lambda name: names.get(name) or lookup(name)


def enter(spec):
    """Child side, first thing: build the rules, become the sandbox uid, enforce the rules.

    Returns the working folder the student code runs in.
    """
    work, uid = spec["write"][0], spec["uid"]
    _use_known_libraries(spec["libraries"])
    # Its own /proc entries, and no other process's: TensorFlow aborts when it cannot read them.
    rules = landlock.ruleset(spec["read"] + [f"/proc/{os.getpid()}"], spec["write"], spec["devices"])
    # Landlock scopes signals from ABI 6 on; before that, a child that shares the grader's
    # uid may signal only itself (as a uid of its own it cannot reach the grader anyway).
    scoped = landlock.abi() >= landlock.SCOPE_ABI
    syscalls = seccomp.syscall_filter(only_self=None if scoped or uid is not None else os.getpid())
    if uid is not None:
        os.chown(work, uid, uid)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)  # every capability goes with uid 0
    rules.restrict()  # sets no_new_privs first
    syscalls.load()
    return work


def probe(work):
    """Run by ``jail.level`` in a throw-away process: confine it as a child is confined, then
    import NumPy (a uid of its own must be able to reach the interpreter and the venv)."""
    engine = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    keep, uid = [*jail.python_keep_paths(), os.path.join(engine, "autograder")], jail.sandbox_uid()
    blocked = [folder for path in keep for folder in jail.untraversable_ancestors(path)] if uid is not None else []
    if blocked:
        raise SystemExit(f"{blocked[0]} is closed to other users, so a uid of the sandbox's own cannot reach "
                         "the interpreter or the engine inside it: install them where every user can read them")
    enter(plan(keep, [engine], work, uid))
    import numpy  # noqa: F401


def adopt_orphans():
    """Trusted side: orphans of the child become ours, not init's, so ``kill`` can reap them."""
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def kill(process, uid, seconds=5.0):
    """Trusted side: kill the child's whole process group and wait until none of it is left.

    seccomp keeps every descendant in the group the child leads, and one killpg reaches all
    of them at once (the kernel makes a fork racing it fail). Orphans come to us
    (``adopt_orphans``) and are reaped here; as root, the sandbox uid is swept as well.
    """
    group = process.pid
    deadline = time.monotonic() + seconds
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    while time.monotonic() < deadline:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            break  # the group is empty: every member is dead and reaped
        for pid in jail.orphans_in(group):
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        time.sleep(0.01)
    if uid is not None:
        jail.reap(uid, seconds)
