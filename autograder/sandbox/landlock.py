"""What the sandbox child may touch at the ``landlock`` level: a Landlock ruleset (landlock(7)).

Landlock lets an unprivileged process give up access rights for good, for itself and
everything it starts. The child builds one ruleset from the plan the trusted side made
(``restricted.plan``):

- read (and execute) only the listed trees: the system folders, the interpreter, the venv,
  the engine and the public assignment folder; a hidden path beneath one of them (a kit
  installed under ``/usr``, say) is cut out of it, sibling by sibling, since a rule can only
  allow a whole tree;
- read and write only its own temporary folder, and the harmless devices (``/dev/null``...);
- from ABI 4 on, no TCP bind or connect; from ABI 6 on, signals and abstract unix sockets
  reach only processes in its own Landlock domain (itself and what it started).

Rules name objects, not paths, and Landlock does not hide metadata: a path it cannot open
can still be stat'ed. Built with ``landlockpy``: every ABI up to the newest, network rules
and scopes included, best-effort down to ABI 1 (a right the kernel does not know is
dropped). The older ``landlock`` package (1.0.0.dev5, alpha) knows file rights only, so no
TCP rules (ABI 4) or scopes (ABI 6), gives a regular file the folder-only rights the kernel
refuses, and judges a system call by ``errno`` rather than its return value.
"""
import os

READ = ("READ_FILE", "READ_DIR", "EXECUTE")
WRITE = READ + ("WRITE_FILE", "TRUNCATE", "MAKE_REG", "MAKE_DIR", "MAKE_SYM", "MAKE_FIFO", "REMOVE_FILE",
                "REMOVE_DIR", "REFER")
DEVICE = ("READ_FILE", "WRITE_FILE")
FILE_RIGHTS = ("READ_FILE", "WRITE_FILE", "EXECUTE", "TRUNCATE", "IOCTL_DEV")  # the only ones a file can get
NET_ABI, SCOPE_ABI = 4, 6


def abi():
    """The kernel's Landlock ABI version; 0 when Landlock is missing or disabled."""
    import landlockpy
    return landlockpy.abi_version()


def outside(trees, hidden):
    """``trees`` with every ``hidden`` path beneath one of them cut out.

    A tree that holds a hidden path is replaced by its entries (recursively for the one on
    the way to it), so the rules still cover everything else in it.
    """
    hidden = [os.path.realpath(h) for h in hidden]
    allowed = []
    for tree in trees:
        allowed += _cut(os.path.realpath(tree), hidden)
    return allowed


def _cut(tree, hidden):
    inside = [h for h in hidden if h == tree or h.startswith(tree.rstrip("/") + "/")]
    if not inside:
        return [tree]
    if tree in inside or not os.path.isdir(tree):
        return []
    kept = []
    for entry in os.scandir(tree):
        kept += _cut(entry.path, inside)
    return kept


def _rights(access_type, names, path):
    rights = access_type.NONE
    is_dir = os.path.isdir(path)
    for name in names:
        if is_dir or name in FILE_RIGHTS:
            rights |= getattr(access_type, name)
    return rights


def ruleset(read, write, devices):
    """The rules, not yet enforced: ``.restrict()`` enforces them on this (single-threaded)
    process and everything it starts. Built before a uid switch: rules hold the objects
    they name, whoever opened them. Paths that do not exist are skipped (a system folder
    one distribution has and another lacks).
    """
    from landlockpy import AccessFS, Ruleset, Scope
    rules = Ruleset(scoped=Scope.ABSTRACT_UNIX_SOCKET | Scope.SIGNAL)
    for paths, names in ((read, READ), (write, WRITE), (devices, DEVICE)):
        for path in paths:
            if os.path.exists(path):
                rules.allow_path(path, _rights(AccessFS, names, path))
    # No port rule: every TCP bind and connect is denied (handled from ABI 4 on).
    return rules
