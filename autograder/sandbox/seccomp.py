"""Which system calls the sandbox child may make at the ``landlock`` level: a seccomp filter.

Everything is allowed except what only an escape or an attack needs; those calls fail
with EPERM (a clean ``OSError`` in Python), and a call of another architecture (32-bit
``int 0x80``, x32) kills the process, since its numbers would bypass the list:

- ``socket``/``socketpair``: the child talks to the grader over pipes it inherited and
  needs no socket at all (this also closes unix sockets, which Landlock before ABI 6
  and pathname sockets at any ABI would let through);
- ``ptrace``, ``process_vm_readv/writev``, ``pidfd_getfd``, ``kcmp``: other processes' memory and files;
- ``setsid``, ``setpgid``: the child leads a process group the grader kills as one, so
  nothing it starts may leave that group;
- ``unshare``, ``setns``, ``clone`` with a namespace flag, ``clone3`` (its flags sit in memory
  a filter cannot read: ENOSYS makes the C library fall back to ``clone``); ``mount`` and
  friends, ``pivot_root``, ``chroot``: a world of its own to undo the rest in;
- the keyring, ``bpf``, ``perf_event_open``, ``userfaultfd``, ``io_uring`` (its operations
  bypass this filter), ``open_by_handle_at``, kernel modules, ``kexec``, ``reboot``, swap,
  ``acct``: kernel attack surface a numerical function never needs.

Where Landlock cannot scope signals (ABI < 6) and the child shares the grader's uid, it
may signal only itself: ``only_self`` is its pid. Built with ``pyseccomp`` (ctypes over the
system's libseccomp.so.2, the library behind Debian's python3-seccomp).
"""
import errno

DENIED = ("socket", "socketpair", "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
          "setsid", "setpgid", "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount",
          "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "keyctl", "add_key",
          "request_key", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
          "io_uring_register", "open_by_handle_at", "init_module", "finit_module", "delete_module",
          "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff", "acct")
# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME
NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080)
SIGNALS = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")


def syscall_filter(only_self=None):
    """The filter, not yet loaded: ``.load()`` installs it in this (single-threaded) process,
    for good, and every process it starts inherits it."""
    import pyseccomp as seccomp
    deny = seccomp.ERRNO(errno.EPERM)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    rules.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)  # a 32-bit or x32 call: its numbers differ
    for name in DENIED:
        rules.add_rule(deny, name)
    for flag in NAMESPACE_FLAGS:  # clone's first argument is its flags (x86-64, arm64)
        rules.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    if only_self is not None:
        rules.add_rule(deny, "pidfd_send_signal")
        for name in SIGNALS:  # the first argument is the target (tgkill: its thread group)
            rules.add_rule(deny, name, seccomp.Arg(0, seccomp.NE, only_self))
    return rules
