"""The trusted side of the sandbox: start the child, call student functions, contain failures.

Every failure of student code surfaces as a ``StudentError`` with a message
written for the student; the grader process itself never sees an exception
from student code, only plain data.
"""
import ast
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .. import wire
from ..i18n import _
from . import jail, restricted
from .child import BOOT

ENGINE_ROOT = str(Path(__file__).resolve().parents[2])
PASSED_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")  # needed for correct BLAS on some CPUs


@dataclass
class Limits:
    call_seconds: float = 20.0
    submission_seconds: float = 300.0
    load_statement_seconds: float = 10.0
    memory_bytes: int = 2 << 30
    max_processes: int = 64
    max_file_bytes: int = 64 << 20
    tmp_bytes: int = 256 << 20
    output_bytes: int = 16 << 10
    max_restarts: int = 25

    @classmethod
    def from_config(cls, config):
        """The ``[limits]`` table of assignment.toml (grading and the local training check share it)."""
        return cls(call_seconds=config.get("call_seconds", 5),
                   submission_seconds=config.get("submission_seconds", 300),
                   memory_bytes=config.get("memory_mb", 2048) << 20)


class StudentError(Exception):
    """Student code failed; ``str(err)`` is the explanation for the student."""


class NotImplementedYet(StudentError):
    pass


class MissingFunction(StudentError):
    pass


class StudentException(StudentError):
    def __init__(self, message, exc_type):
        super().__init__(message)
        self.exc_type = exc_type


class StudentTimeout(StudentError):
    pass


class StudentCrash(StudentError):
    pass


class BoundedOutput:
    """Keeps the first ``limit`` bytes a pipe delivers and counts the rest; never blocks the writer."""

    def __init__(self, stream, limit):
        self.limit, self.kept, self.dropped = limit, bytearray(), 0
        self.frozen = False
        self.thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self.thread.start()

    def _drain(self, stream):
        for chunk in iter(lambda: stream.read1(65536), b""):
            if self.frozen:
                continue  # keep draining so nothing blocks, but keep nothing
            room = self.limit - len(self.kept)
            self.kept += chunk[:max(room, 0)]
            self.dropped += max(len(chunk) - max(room, 0), 0)
        stream.close()

    def text(self):
        out = self.kept.decode("utf-8", "replace")
        return out + ("\n" + _("... [{count:,} more bytes of output cut]").format(count=self.dropped)
                      if self.dropped else "")


class Sandbox:
    """One submission's child process, restarted transparently after a crash or a hang."""

    def __init__(self, statements, module_name, *, limits=None, harness=None, keep=(), hide=(),
                 oracle=None, aliases=None):
        self.statements = [(s.label, s.line, s.source) for s in statements]
        self.module_name = module_name
        self.limits = limits or Limits()
        self.harness = harness
        self.oracle = oracle  # name -> trusted function answering callbacks, or None
        self.aliases = aliases or {}  # graded name -> names students give it, for a missing function's hint
        self.level = jail.level()
        engine = os.path.join(ENGINE_ROOT, "autograder")
        self.keep = [*jail.python_keep_paths(), engine, *keep] + ([os.path.dirname(harness)] if harness else [])
        self.hide = [ENGINE_ROOT, *hide]
        self.deadline = time.monotonic() + self.limits.submission_seconds
        self.skipped = set()  # statements that hung at load time are not run again
        self.load_errors = []
        self.notes = []
        self.outputs = []
        self.warnings = []
        self.printed = ""  # what the last call printed (Python-level stdout and stderr)
        self.process = None
        self.restarts = -1
        self.hung = set()  # functions that already ran out of time are not called again

    # -- lifecycle -------------------------------------------------------------------------
    def _spawn(self):
        self.restarts += 1
        if self.restarts > self.limits.max_restarts:
            raise StudentCrash(_("was not run: your code crashed or hung too many times already"))
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        self._tmp = tempfile.TemporaryDirectory(prefix="sandbox-", ignore_cleanup_errors=True)
        config = {"module_name": self.module_name, "fd_in": to_child_r, "fd_out": from_child_w,
                  "harness": self.harness, "workdir": self._tmp.name,
                  "max_processes": self.limits.max_processes, "tmp_bytes": self.limits.tmp_bytes,
                  "jail": jail.plan(self.keep, self.hide) if self.level == "full" else None,
                  "restricted": restricted.plan(self.keep, self.hide, self._tmp.name, jail.sandbox_uid())
                  if self.level == "landlock" else None}
        argv = [sys.executable, "-I", "-c", BOOT, ENGINE_ROOT, json.dumps(config)]
        if self.level == "full":
            argv = jail.command(argv)
        elif self.level == "landlock":
            restricted.adopt_orphans()
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
               "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1",
               "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "HOME": self._tmp.name,
               **{k: os.environ[k] for k in PASSED_ENV if k in os.environ}}
        lim = self.limits
        self.process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            pass_fds=(to_child_r, from_child_w), env=env, cwd=self._tmp.name,
            preexec_fn=lambda: jail.set_limits(lim.memory_bytes, int(lim.submission_seconds) + 30,
                                               lim.max_processes, lim.max_file_bytes,
                                               jailed=self.level == "full"))
        os.close(to_child_r)
        os.close(from_child_w)
        self.to_child, self.reader = to_child_w, wire.Reader(from_child_r)
        self.output = BoundedOutput(self.process.stdout, self.limits.output_bytes)
        self.outputs.append(self.output)
        self._load()

    def _load(self):
        indices = [i for i in range(len(self.statements)) if i not in self.skipped]
        self._send({"op": "load", "statements": [self.statements[i] for i in indices]})
        current = None
        while True:
            try:
                reply = self._receive(self.limits.load_statement_seconds + (5 if current is None else 0))
            except StudentError as err:
                if current is None:
                    said = self.output.text().strip()[-300:]
                    raise StudentCrash(_("could not run: the sandbox did not start ({error})").format(error=err)
                                       + (_("; it printed: {output}").format(output=said) if said else "")) from None
                # A top-level statement that hangs or kills the process is dropped, and the
                # rest of the submission is loaded again without it.
                label, line, source = self.statements[indices[current]]
                self.skipped.add(indices[current])
                self.notes.append(_("{where}, line {line}: `{code}` was skipped: {error}").format(
                    where=label, line=line, code=source.splitlines()[0][:60], error=err))
                return self._spawn()
            if "loading" in reply:
                current = int(reply["loading"])
                continue
            self.load_errors = []
            for err in reply["errors"]:
                label, line, _source = self.statements[indices[err["index"]]]
                self.load_errors.append(f"{label}, line {line}: {err['type']}: {err['message']}")
            return

    def kill(self):
        if self.process is None:
            return
        self.output.frozen = True  # what follows is the teardown's, not the student's
        if self.level == "full":
            # Kill the namespace's first process and let unshare reap it: killing unshare
            # first would leave a zombie for the host's init, which may take seconds.
            for pid in jail.children_of(self.process.pid):
                os.kill(pid, signal.SIGKILL)
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        elif self.level == "landlock":
            restricted.kill(self.process, jail.sandbox_uid())
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # basic level: the whole process group
        except ProcessLookupError:
            pass
        self.process.wait()
        if self.level == "full" and jail.as_root():
            # Without root the namespace's processes share the instructor's uid, so they
            # cannot be told apart by uid; the PID namespace already took them all down.
            jail.reap(jail.sandbox_uid())
        self.output.thread.join(timeout=2)
        os.close(self.to_child)
        os.close(self.reader.fd)
        self._tmp.cleanup()
        self.process = None

    close = kill

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- calls -----------------------------------------------------------------------------
    def _receive(self, timeout):
        left = self.deadline - time.monotonic()
        try:
            return self.reader.receive(timeout=max(min(timeout, left), 0.01))
        except wire.WireTimeout:
            self.kill()
            if left <= timeout:
                raise StudentTimeout(_("was stopped: the time limit for the whole submission ({seconds:g} s) ran out"
                                       ).format(seconds=self.limits.submission_seconds)) from None
            raise did_not_finish(timeout) from None
        except wire.WireError as err:
            code = self.process.poll() if self.process else None
            self.kill()
            if isinstance(err, wire.WireClosed):
                status = _(" (exit status {code})").format(code=code) if code is not None else ""
                raise StudentCrash(_("ended the process running your code abruptly{status}: "
                                     "os._exit, a crash, or the memory limit").format(status=status)) from None
            raise StudentCrash(_("sent back something the grader cannot read: {error}").format(error=err)) from None

    def _send(self, message):
        try:
            wire.send(self.to_child, message)
        except OSError:  # the child is gone (it killed itself between two calls)
            code = self.process.poll()
            self.kill()
            raise StudentCrash(_("ended the process running your code abruptly{status}: "
                                 "os._exit, a crash, or the memory limit").format(
                status=_(" (exit status {code})").format(code=code))) from None

    def call(self, name, *args, target="module", oracles=(), timeout=None, requires=(), **kwargs):
        """Run ``name`` from the submission (or the harness) on plain-data arguments.

        ``requires`` names student functions the call depends on: if one of them already
        ran out of time, this call would too, so it fails at once.
        """
        label = call_label(name, target)
        if time.monotonic() >= self.deadline:
            raise StudentTimeout(_("{name} was not run: the time limit for the whole submission ({seconds:g} s) ran out"
                                   ).format(name=label, seconds=self.limits.submission_seconds))
        stuck = [n for n in (name, *requires) if n in self.hung]
        if stuck:
            raise already_hung(label, stuck[0])
        try:
            return self._call(name, args, target, oracles, timeout, kwargs)
        except StudentTimeout as err:
            self.hung.add(name)
            raise StudentTimeout(f"{label} {err}") from None
        except StudentCrash as err:
            raise StudentCrash(f"{label} {err}") from None

    def _call(self, name, args, target, oracles, timeout, kwargs):
        if self.process is None:
            self._spawn()
        oracles = [o for o in oracles if self.oracle and o in self.oracle]
        self._send({"op": "call", "target": target, "name": name, "args": list(args),
                    "kwargs": kwargs, "oracles": oracles})
        timeout = timeout or self.limits.call_seconds
        while True:
            reply = self._receive(timeout)
            if "callback" not in reply:
                break
            self._send(self._answer(reply))
        self.warnings = reply.get("warnings", [])
        self.printed = str(reply.get("printed", ""))
        if reply.get("ok"):
            return reply["value"]
        raise self._error(name, reply["error"])

    def _answer(self, request):
        try:
            return {"value": self.oracle[request["callback"]](*request["args"], **request["kwargs"])}
        except Exception as exc:  # bad arguments from student code: tell it, like numpy would
            return {"error": f"{type(exc).__name__}: {exc}"[:300]}

    def _defined_names(self):
        """Top-level function and class names in the submission, read from its source (never run here)."""
        names = set()
        for _label, _line, source in self.statements:
            try:
                body = ast.parse(source).body
            except SyntaxError:
                continue
            names |= {n.name for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        return names

    def _error(self, name, error):
        return student_error(name, error, self.aliases.get(name, ()), self._defined_names,
                             self.limits.memory_bytes)

    def output_text(self):
        return "\n".join(o.text() for o in self.outputs if o.text())


# -- how a failed call reads to the student (the sandbox's and the Jupyter kernel's) ----------
def call_label(name, target):
    """A call as feedback names it: the student's function, or the grader's run of the student's code."""
    return name if target == "module" else _("the grader's {name} run of your code").format(name=name)


def already_hung(label, stuck):
    return StudentTimeout(_("{name} was not run: {stuck} already ran out of time in an earlier check").format(
        name=label, stuck=stuck))


def did_not_finish(seconds):
    return StudentTimeout(_("did not finish within {seconds:g} s (an infinite loop, or far too slow)").format(
        seconds=seconds))


def student_error(name, error, aliases=(), defined_names=set, memory_bytes=None):
    """The exception a check sees for ``error``, a failed call's record (type, message, where).

    ``defined_names()``: the names the submission defines, looked at only when ``name`` is
    missing and one of its ``aliases`` might be what the student wrote instead.
    """
    where = _(" at {where}").format(where=error["where"]) if error["where"] else ""
    if error["type"] == "missing":
        alias = next((a for a in aliases if a in defined_names()), None) if aliases else None
        hint = _("; your {alias} looks like it: the grader calls {name}, so define {name} "
                 "(it may simply call {alias})").format(alias=alias, name=name) if alias else ""
        return MissingFunction(_("{name} is not defined in your submission").format(name=name) + hint)
    if error["type"].endswith("MemoryError"):  # MemoryError's own message is often empty
        limit = _(" (the limit is {gib:g} GiB)").format(gib=memory_bytes / 2**30) if memory_bytes else ""
        return StudentException(_("{name} ran out of memory").format(name=name) + limit + where, error["type"])
    if error["type"] == "NotImplementedError":
        hint = ": " + _(error["message"]) if error["message"] else ""  # a release stub's hint is in the catalogue
        return NotImplementedYet(_("{name} is not implemented yet (it raises NotImplementedError{hint})").format(
            name=name, hint=hint))
    return StudentException(_("{name} raised {error}").format(name=name, error=f"{error['type']}: {error['message']}")
                            + where, error["type"])
