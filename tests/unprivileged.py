"""Run the real CLI as an unprivileged user, the way an instructor without root does, or as
root in a simulated container (root without ``CAP_SYS_ADMIN``, like Gradescope's Docker).

CI runs as root, so the test needs another account, and the interpreter may sit in a folder
only root can enter (pyenv in /root), which neither that account nor a sandbox uid could
reach. The command runs in a private mount namespace where each such folder is replaced by
an empty world-enterable tmpfs with only the needed entry bound back: the host is left
untouched and the user gets no more than it would on a normal install (a container image
installs Python where every user can read it).
"""
import os
import pwd
import shlex
import stat
import subprocess
import sys
from pathlib import Path

USER = "autograder-test"


def ensure_user():
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
                       check=True)
        return pwd.getpwnam(USER)


def _blocked(path):
    """(first ancestor the user cannot enter, the entry under it on the way to path), or None."""
    parts = Path(os.path.realpath(path)).parts
    for i in range(1, len(parts) - 1):
        ancestor = Path(*parts[:i + 1])
        if not ancestor.stat().st_mode & stat.S_IXOTH:
            return str(ancestor), parts[i + 1]
    return None


def run_as_user(args, needs, stash, env=None, binds=(), timeout=1200):
    """``python -m autograder *args`` as USER; ``needs`` are the paths it must reach, ``binds``
    (source, target) pairs that put the user's own copies where the grader writes."""
    account = ensure_user()
    command = ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups",
               "--", sys.executable, "-m", "autograder", *map(str, args)]
    # The user's own environment: nothing of root's, but the data it was given a copy of.
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": account.pw_dir, **(env or {})}
    return subprocess.run(reachable(command, needs, stash, binds), cwd=Path(__file__).resolve().parents[1],
                          capture_output=True, text=True, timeout=timeout, env=env)


def in_container(command):
    """``command`` as root without CAP_SYS_ADMIN: it may not create namespaces (Gradescope's Docker)."""
    return ["setpriv", "--bounding-set=-sys_admin", "--inh-caps=-sys_admin", "--", *map(str, command)]


def reachable(command, needs, stash, binds=()):
    """``command`` in a private mount namespace where every other user can reach ``needs``
    (and the interpreter), with ``binds`` (source, target) pairs mounted first."""
    script = ["set -e"]
    blocked = {}
    for path in {os.path.realpath(sys.executable), *map(str, needs)}:
        found = _blocked(path)
        if found:
            blocked.setdefault(found[0], set()).add(found[1])
    for n, (ancestor, entries) in enumerate(sorted(blocked.items())):
        for entry in sorted(entries):
            keep = Path(stash) / f"{n}-{entry}"
            script += [f"mkdir -p {shlex.quote(str(keep))}",
                       f"mount --bind {shlex.quote(os.path.join(ancestor, entry))} {shlex.quote(str(keep))}"]
        script.append(f"mount -t tmpfs -o mode=0755 tmpfs {shlex.quote(ancestor)}")
        for entry in sorted(entries):
            keep, target = Path(stash) / f"{n}-{entry}", os.path.join(ancestor, entry)
            script += [f"mkdir -p {shlex.quote(target)}", f"mount --bind {shlex.quote(str(keep))} {shlex.quote(target)}"]
    for source, target in binds or ():
        script.append(f"mount --bind {shlex.quote(str(source))} {shlex.quote(str(target))}")
    script.append("exec " + shlex.join(map(str, command)))
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(script)]
