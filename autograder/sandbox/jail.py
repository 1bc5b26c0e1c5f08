"""Operating-system confinement of the sandbox child.

Three levels, the strongest this host allows, probed once per process (``level``):

* ``full`` (``unshare`` exists and the kernel lets this user create namespaces):
  the child gets new mount, PID, network, IPC and UTS namespaces. Inside, before
  any student code runs, ``enter`` masks every top-level folder but the system
  ones (so the project, the output, the data, ``/tmp`` and ``$HOME`` wherever
  they are) with empty tmpfs mounts and every top-level file with ``/dev/null``,
  puts back read-only only what Python needs
  (interpreter, venv, the engine, the assignment's public folder, the training
  data cache), then gives up every privilege for good. As root it drops to a
  uid of its own. Without root the namespaces sit in a new user namespace whose
  root is the instructor's uid: the child drops every capability (bounding set
  and all, with root's special powers locked off), so it can neither undo the
  masks nor remount the read-only folders; a user namespace it makes itself only
  receives those mounts locked (mount_namespaces(7)). The network namespace has
  only a loopback interface that is down; killing the ``unshare`` process kills
  every process in the namespace.
* ``landlock`` (no namespaces, but Landlock and seccomp: Gradescope's Docker, a kernel
  with user namespaces disabled): the same file, network and process boundaries built
  from what any process may do to itself; see restricted.py.
* ``basic`` (neither): resource limits, its own session and scrubbed
  environment and temporary folder, nothing more.

``$AUTOGRADER_CONFINEMENT`` (``landlock`` or ``basic``) caps the level, for tests and for
instructors who want to see what a weaker host gives; it never raises it.

This module is imported by the child before it drops privileges: standard
library only.
"""
import ctypes
import errno
import functools
import os
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_CAP_AMBIENT = 38, 24, 28, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
# Root's uid 0 grants no capability again, not even through exec, and that cannot be undone.
SECBIT_NOROOT, SECBIT_NOROOT_LOCKED, SECBIT_KEEP_CAPS_LOCKED = 1, 2, 32
SECBIT_NO_CAP_AMBIENT_RAISE, SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED = 64, 128
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
# Flags a user namespace may not clear on a bind it inherited: a read-only remount keeps them.
ST_KEPT = os.ST_NOEXEC | os.ST_NOATIME | os.ST_NODIRATIME
# Everything at the top of the file system is masked except what programs need to run:
# a copy of the project or the data elsewhere on the machine must stay out of reach too.
SYSTEM_DIRS = {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "sys", "usr"}
ALWAYS_MASKED = ("/dev/shm", "/dev/pts")  # shared memory; terminals the instructor owns
UNCONFINED_RISK = ("this machine cannot confine student code (no user namespaces for this user, "
                   "or no `unshare`, and no Landlock or seccomp): each submission runs with resource "
                   "limits only, as your own user, and can read the other submissions, your solutions "
                   "and hidden tests, write wherever you can, and use the network.")
HOW_TO_CONFINE = ("To fix it, allow unprivileged user namespaces (sysctl "
                  "kernel.unprivileged_userns_clone=1 or user.max_user_namespaces>0; in Docker, "
                  "a seccomp profile that allows unshare) and install util-linux `unshare`; or use a "
                  "kernel with Landlock (5.13 or later, `lsm=landlock`) and install libseccomp.")
UID_BASE = 2_000_000_000  # far above any real account, so the uid owns nothing on the host
LEVELS = ("full", "landlock", "basic")  # strongest first
FORCE_ENV = "AUTOGRADER_CONFINEMENT"
WHAT_IT_MEANS = {
    "full": "namespaces: the child sees only the interpreter, the venv, the engine and the public "
            "assignment, has no network, and cannot see or signal any other process",
    "landlock": "no namespaces here; Landlock and seccomp: the child reads only the system folders, "
                "the interpreter, the venv, the engine and the public assignment, writes only its own "
                "temporary folder, has no sockets, and cannot trace or leave its process group",
    "basic": "resource limits only",
}
ENGINE_ROOT = str(Path(__file__).resolve().parents[2])


@functools.lru_cache(maxsize=1)
def level():
    """The strongest level that really works here, capped by ``$AUTOGRADER_CONFINEMENT``.

    A kernel may forbid user namespaces, a container (Gradescope's Docker) may forbid
    namespaces even to root, Landlock may be off or the interpreter out of a sandbox
    uid's reach: each level is tried by starting a process confined that way.
    """
    cap = os.environ.get(FORCE_ENV) or LEVELS[0]
    if cap not in LEVELS:
        print(f"autograder: ignoring {FORCE_ENV}={cap!r} (one of {', '.join(LEVELS[1:])})", file=sys.stderr)
        cap = LEVELS[0]
    return next(candidate for candidate in LEVELS[LEVELS.index(cap):] if _works(candidate))


def _works(candidate):
    if candidate == "basic":
        return True
    if candidate == "full" and not shutil.which("unshare"):
        why_not[candidate] = "no `unshare` command"
        return False
    with tempfile.TemporaryDirectory(prefix="sandbox-probe-") as work:
        argv = (command(["true"]) if candidate == "full" else
                [sys.executable, "-I", "-c", RESTRICTED_PROBE, ENGINE_ROOT, work])
        try:
            probe = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=work,
                                   env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
        except (OSError, subprocess.TimeoutExpired) as err:
            why_not[candidate] = str(err)
            return False
    if probe.returncode:
        why_not[candidate] = (probe.stderr.strip().splitlines() or [f"exit status {probe.returncode}"])[-1][:300]
    return probe.returncode == 0


why_not = {}  # level -> why its probe failed here, for the instructor's log


def describe(name):
    """One line for the instructor's log: the level, what it confines, and why no stronger one works."""
    weaker = "; ".join(f"{level} does not work here: {why_not[level]}" for level in LEVELS[:LEVELS.index(name)]
                       if level in why_not)
    return f"{name} ({WHAT_IT_MEANS[name]}{'; ' + weaker if weaker else ''})"


def as_root():
    """Root drops to a uid of its own; anyone else becomes root of a new user namespace."""
    return os.geteuid() == 0


def sandbox_uid():
    # One uid per grading process: concurrent sandboxes never share a process count
    # (RLIMIT_NPROC) or files, and none of them owns anything on the host.
    return UID_BASE + os.getpid() if as_root() else None


def untraversable_ancestors(path):
    """The first folder on the way to ``path`` that other users may not enter, as a list (empty: none)."""
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
        masks += untraversable_ancestors(path)
    masks = [m for m in _topmost(masks) if os.path.isdir(m) and m != "/"]
    # Files at the top (a container's metadata, an installer script) are not in any folder.
    files = [entry.path for entry in os.scandir("/") if entry.is_file(follow_symlinks=False)]
    return {"keep": keep, "mask": masks, "mask_files": files, "uid": sandbox_uid()}


def command(python_args):
    """The argv that starts the child in fresh namespaces (full level only)."""
    user = [] if as_root() else ["--user", "--map-root-user"]
    return ["unshare", *user, "--mount", "--net", "--pid", "--ipc", "--uts", "--fork", "--kill-child",
            "--mount-proc", "--propagation", "private", *python_args]


def set_limits(memory_bytes, cpu_seconds, max_processes, max_file_bytes, jailed):
    """Runs in the forked child before exec: the limits every descendant inherits."""
    os.setsid()  # its own process group, so the basic level can kill the whole tree
    limits = {resource.RLIMIT_AS: memory_bytes, resource.RLIMIT_CPU: cpu_seconds,
              resource.RLIMIT_FSIZE: max_file_bytes, resource.RLIMIT_CORE: 0,
              resource.RLIMIT_NOFILE: 256}
    # The process count is per user: the instructor's (or root's) own count would include
    # everything else they run, so the jail sets it inside, once the child has a user of its own.
    if not jailed:
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
    for target in spec["mask_files"]:
        _bind_read_only(libc, "/dev/null", target)  # reads as empty
    for path, fd in handles.items():
        os.makedirs(path, mode=0o755, exist_ok=True)
        _bind_read_only(libc, f"/proc/self/fd/{fd}", path)
        os.close(fd)
    uid = spec["uid"]
    work = "/tmp/work"
    os.makedirs(work, mode=0o700)
    if uid is None:
        _drop_capabilities(libc)
    else:
        os.chown(work, uid, uid)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    resource.setrlimit(resource.RLIMIT_NPROC, (max_processes, max_processes))
    _check(libc, libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    return work


def _bind_read_only(libc, source, target):
    _mount(libc, source, target, None, MS_BIND | MS_REC)
    kept = os.statvfs(target).f_flag & ST_KEPT
    _mount(libc, None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | kept)


def _check(libc, result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _drop_capabilities(libc):
    """Root of a user namespace gives up every capability, for good (capabilities(7))."""
    locked = (SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_KEEP_CAPS_LOCKED
              | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)
    _check(libc, libc.prctl(PR_SET_SECUREBITS, locked, 0, 0, 0), "securebits")
    cap = 0
    while libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
        cap += 1
    if ctypes.get_errno() != errno.EINVAL or cap == 0:  # EINVAL: past the last capability
        _check(libc, -1, f"dropping capability {cap} from the bounding set")
    _check(libc, libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "ambient capabilities")
    none = (_CapData * 2)()  # version 3 carries 64 capabilities in two 32-bit halves
    _check(libc, libc.capset(ctypes.byref(_CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)), none), "capset")


def _processes():
    """(pid, owner uid, parent pid, process group) of every process this PID namespace shows."""
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                uid = os.stat(entry.path).st_uid
                with open(f"{entry.path}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()  # fields 3, 4, 5... after "(comm)"
                parent, group = int(fields[1]), int(fields[2])
            except (OSError, ValueError, IndexError):
                continue  # it ended while we looked
            yield int(entry.name), uid, parent, group


def processes_of(uid):
    return [pid for pid, owner, _, _ in _processes() if owner == uid]


def children_of(pid):
    return [child for child, _, parent, _ in _processes() if parent == pid]


def orphans_in(group):
    """Members of a process group whose parent is this process (a subreaper's adopted orphans)."""
    me = os.getpid()
    return [pid for pid, _, parent, pgrp in _processes() if pgrp == group and parent == me]


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


RESTRICTED_PROBE = ("import sys; sys.path.insert(0, sys.argv[1]); from autograder.sandbox import restricted; "
                    "restricted.probe(sys.argv[2])")  # restricted.py is not imported here: it imports us


def tree_times(pid):
    """(CPU seconds, seconds spent waiting for a CPU) of ``pid`` and every process below it.

    Read from /proc by the grader, so a process cannot hide them: CPU time is user plus
    system time, the ended children's included (cutime, cstime); live descendants are found
    through /proc/<pid>/task/<tid>/children. The waiting time (each thread's run delay in
    /proc/.../schedstat) is what a busy machine adds to a process that wants to run: the
    trusted side excuses it, so a load cannot cost a student points.
    """
    ticks, waited, todo, seen = 0, 0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
            for task in os.scandir(f"/proc/{current}/task"):
                with open(f"{task.path}/schedstat") as f:
                    waited += int(f.read().split()[1])
                with open(f"{task.path}/children") as f:
                    todo += [int(child) for child in f.read().split()]
        except (OSError, ValueError, IndexError):
            continue  # it ended while we looked: its CPU time is now in its parent's
    return ticks / os.sysconf("SC_CLK_TCK"), waited / 1e9


def python_keep_paths():
    """What the child interpreter must be able to read."""
    return [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))]
