"""Operating-system confinement of the sandbox child.

Two levels:

* ``full`` (the grader runs as root and ``unshare`` exists): the child gets new
  mount, PID, network, IPC and UTS namespaces. Inside, before any student code
  runs, ``enter`` masks every top-level folder but the system ones (so the
  project, the output, the data, ``/tmp`` and ``$HOME`` wherever they are) with
  empty tmpfs mounts, puts back read-only only what Python needs
  (interpreter, venv, the engine, the assignment's public folder, the training
  data cache), and drops to a uid of its own. The network namespace has only a
  loopback interface that is down; killing the ``unshare`` process kills every
  process in the namespace.
* ``basic`` (anyone else, e.g. a student's self-check): resource limits, its own
  session and scrubbed environment and temporary folder, nothing more.

This module is imported by the child before it drops privileges: standard
library only.
"""
import ctypes
import functools
import os
import resource
import shutil
import stat
import subprocess
import sys
import time

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
# Everything at the top of the file system is masked except what programs need to run:
# a copy of the project or the data elsewhere on the machine must stay out of reach too.
SYSTEM_DIRS = {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "sys", "usr"}
ALWAYS_MASKED = ("/dev/shm",)
UID_BASE = 2_000_000_000  # far above any real account, so the uid owns nothing on the host


@functools.lru_cache(maxsize=1)
def level():
    """``full`` only if namespaces really work here (root in a container may lack the right)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return "basic"
    probe = subprocess.run(command(["true"]), capture_output=True, timeout=30)
    return "full" if probe.returncode == 0 else "basic"


def sandbox_uid():
    # One uid per grading process: concurrent sandboxes never share a process count
    # (RLIMIT_NPROC) or files, and none of them owns anything on the host.
    return UID_BASE + os.getpid()


def _untraversable_ancestors(path):
    found, parts = [], os.path.abspath(path).split(os.sep)[1:]
    for i in range(1, len(parts)):
        ancestor = os.sep + os.sep.join(parts[:i])
        if not os.stat(ancestor).st_mode & stat.S_IXOTH:
            found.append(ancestor)
            break
    return found


def _topmost(paths):
    paths = sorted({os.path.abspath(p) for p in paths if os.path.exists(p)})
    return [p for p in paths if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in paths)]


def plan(keep, hide):
    """The mount plan for ``enter``: which folders to mask and which to put back."""
    keep = sorted({os.path.realpath(p) for p in keep if os.path.exists(p)})
    top = [entry.path for entry in os.scandir("/") if entry.name not in SYSTEM_DIRS
           and entry.is_dir(follow_symlinks=False)]
    masks = list(hide) + top + list(ALWAYS_MASKED) + [os.path.expanduser("~")]
    for path in keep:
        masks += _untraversable_ancestors(path)
    masks = [m for m in _topmost(masks) if os.path.isdir(m) and m != "/"]
    return {"keep": keep, "mask": masks, "uid": sandbox_uid()}


def command(python_args):
    """The argv that starts the child in fresh namespaces (full level only)."""
    return ["unshare", "--mount", "--net", "--pid", "--ipc", "--uts", "--fork", "--kill-child",
            "--mount-proc", "--propagation", "private", *python_args]


def set_limits(memory_bytes, cpu_seconds, max_processes, max_file_bytes):
    """Runs in the forked child before exec: the limits every descendant inherits."""
    os.setsid()  # its own process group, so the basic level can kill the whole tree
    limits = {resource.RLIMIT_AS: memory_bytes, resource.RLIMIT_CPU: cpu_seconds,
              resource.RLIMIT_FSIZE: max_file_bytes, resource.RLIMIT_CORE: 0,
              resource.RLIMIT_NOFILE: 256}
    if os.geteuid() != 0:  # root's own count covers the whole host; the jail sets it after the drop
        limits[resource.RLIMIT_NPROC] = max_processes
    for which, value in limits.items():
        resource.setrlimit(which, (value, value))


def _mount(libc, source, target, fstype, flags, data=None):
    enc = (lambda s: None if s is None else s.encode())
    if libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def enter(spec, max_processes, tmp_bytes):
    """Child side, as root in the new namespaces: mask, restore, drop privileges.

    Returns the working folder the student code should run in.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    # O_PATH handles survive the masking, so what lies under a mask can be put back.
    handles = {path: os.open(path, os.O_PATH) for path in spec["keep"]}
    for target in spec["mask"]:
        size = tmp_bytes if target == "/tmp" else 1 << 20
        _mount(libc, "tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
    for path, fd in handles.items():
        os.makedirs(path, mode=0o755, exist_ok=True)
        _mount(libc, f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        _mount(libc, None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.close(fd)
    uid = spec["uid"]
    work = "/tmp/work"
    os.makedirs(work, mode=0o700)
    os.chown(work, uid, uid)
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    resource.setrlimit(resource.RLIMIT_NPROC, (max_processes, max_processes))
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    return work


def _processes():
    """(pid, owner uid, parent pid) of every process this PID namespace shows."""
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                uid = os.stat(entry.path).st_uid
                with open(f"{entry.path}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])  # field 4, after "(comm)"
            except (OSError, ValueError, IndexError):
                continue  # it ended while we looked
            yield int(entry.name), uid, parent


def processes_of(uid):
    return [pid for pid, owner, _ in _processes() if owner == uid]


def children_of(pid):
    return [child for child, _, parent in _processes() if parent == pid]


def reap(uid, seconds=5.0):
    """Kill whatever still runs as the sandbox uid and wait until it is gone.

    Killing the namespace's first process ends the others, but the kernel does
    it asynchronously; waiting here means "graded" also means "nothing left".
    """
    deadline = time.monotonic() + seconds
    while (pids := processes_of(uid)) and time.monotonic() < deadline:
        for pid in pids:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        time.sleep(0.02)
    return not processes_of(uid)


def python_keep_paths():
    """What the child interpreter must be able to read."""
    return [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))]
