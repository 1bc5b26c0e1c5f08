"""The trusted side of the sandbox: start the child, call student functions, contain failures.

Every failure of student code surfaces as a ``StudentError`` with a message
written for the student; the grader process itself never sees an exception
from student code, only plain data.
"""
import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import definitions, wire
from ..i18n import _
from . import jail, restricted
from .child import BOOT

ENGINE_ROOT = str(Path(__file__).resolve().parents[2])
PASSED_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")  # needed for correct BLAS on some CPUs
F_SETPIPE_SZ = 1031
# Everything the child says is cut here, on the trusted side, whatever the child did to itself:
# text fields to these many characters, warnings to a few, printed output to PRINTED_CHARS.
TEXT_CHARS = {"type": 80, "message": 300, "where": 300, "function": 80}
WARNINGS, WARNING_CHARS, PRINTED_CHARS = 5, 300, 4000
# A callback asks the grader to run the reference: it is answered only for the helpers the
# current call substitutes, a few dozen times per call, and only on arguments about the size
# of the call's own (so no callback makes the grader build a huge array).
CALLBACKS_PER_CALL = 64
CALLBACK_ANSWER_BYTES = 4 << 20


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
                   load_statement_seconds=config.get("load_statement_seconds", 10),
                   memory_bytes=config.get("memory_mb", 2048) << 20)


@dataclass
class Shared:
    """What the sandboxes of one submission share: its deadline, its restarts, the functions that hung."""
    deadline: float
    restarts: int = 0
    hung: set = field(default_factory=set)


class StudentError(Exception):
    """Student code failed; ``str(err)`` is the explanation for the student, ``record`` the
    failed call's record as the child sent it, checked and cut (type, message, where, function)."""
    record = {}


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
    """One child process for a submission, restarted transparently after a crash or a hang.

    Several sandboxes of one submission (``shared``) have one deadline and one list of
    functions that hung; each has a process of its own, so nothing one of them was sent can
    reach another.
    """

    def __init__(self, statements, module_name, *, limits=None, harness=None, keep=(), hide=(),
                 oracle=None, aliases=None, shared=None, env=None):
        self.statements = [(s.label, s.line, s.source) for s in statements]
        self.env = dict(env or {})  # the assignment's own variables (``[sandbox] env``), e.g. a library's threads
        self.module_name = module_name
        self.limits = limits or Limits()
        self.harness = harness
        self.oracle = oracle  # name -> trusted function answering callbacks, or None
        self.aliases = aliases or {}  # graded name -> names students give it, for a missing function's hint
        self.level = jail.level()
        engine = os.path.join(ENGINE_ROOT, "autograder")
        self.keep = [*jail.python_keep_paths(), engine, *keep] + ([os.path.dirname(harness)] if harness else [])
        self.hide = [ENGINE_ROOT, *hide]
        self.shared = shared or Shared(time.monotonic() + self.limits.submission_seconds)
        self.skipped = set()  # statements that hung at load time are not run again
        self.load_errors = []
        self.notes = []
        self.outputs = []
        self.warnings = []
        self.printed = ""  # what the last call printed (Python-level stdout and stderr)
        self.process = None

    @property
    def hung(self):
        """Functions that already ran out of time are not called again, in any sandbox of the submission."""
        return self.shared.hung

    @property
    def deadline(self):
        return self.shared.deadline

    # -- lifecycle -------------------------------------------------------------------------
    def _spawn(self):
        if self.shared.restarts > self.limits.max_restarts:
            raise StudentCrash(_("was not run: your code crashed or hung too many times already"))
        self.shared.restarts += 1
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:  # a training step's weights in one write, not twenty: fewer switches between the processes
            fcntl.fcntl(from_child_w, F_SETPIPE_SZ, 1 << 20)
        except OSError:
            pass
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
               **{k: os.environ[k] for k in PASSED_ENV if k in os.environ}, **self.env}
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
            if _index(reply.get("loading"), len(indices)) is not None:
                current = _index(reply["loading"], len(indices))
                continue
            errors = reply.get("errors")
            self.load_errors = []
            for err in errors if isinstance(errors, list) else []:
                index = _index(err.get("index") if isinstance(err, dict) else None, len(indices))
                if index is None or len(self.load_errors) >= len(indices):
                    continue
                label, line, _source = self.statements[indices[index]]
                err = _clean_error(err)
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

    def times(self):
        """(CPU seconds, seconds waiting for a CPU) of the child so far, every process it started
        included: measured here from /proc, so nothing student code does to its clocks changes them."""
        return jail.tree_times(self.process.pid) if self.process else (0.0, 0.0)

    # -- calls -----------------------------------------------------------------------------
    def _receive(self, timeout, array_bytes=wire.REPLY_ARRAY_BYTES):
        left = self.deadline - time.monotonic()
        try:
            return self.reader.receive(timeout=max(min(timeout, left), 0.01), doc_bytes=wire.REPLY_DOC_BYTES,
                                       array_bytes=array_bytes)
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
            raise StudentCrash(_("sent back something the grader cannot read: {error}").format(
                error=str(err)[:200])) from None

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
        ran out of time, this call would too, so it fails at once. ``oracles`` names the
        helpers the reference answers during this call (only those).
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
        callbacks = Callbacks(self.oracle, oracles, (args, kwargs))
        while True:
            reply = self._receive(timeout)
            if not isinstance(reply, dict):
                reply = {}
            if "callback" not in reply:
                break
            if callbacks.count >= CALLBACKS_PER_CALL:  # a flood, not a computation: stop the process
                self.kill()
                raise StudentCrash(_("sent the grader more than {count} requests in one call").format(
                    count=CALLBACKS_PER_CALL))
            self._send(callbacks.answer(reply))
        self.warnings = _clean_warnings(reply.get("warnings"))
        self.printed = _cut(reply.get("printed"), PRINTED_CHARS)
        if reply.get("ok") is True and "value" in reply:
            return reply["value"]
        error = _clean_error(reply.get("error"))
        raise self._error(failed_function(name, target, error), error)

    def _defined_names(self):
        """Top-level function and class names in the submission, read from its source (never run here)."""
        return definitions.defined_names(source for _label, _line, source in self.statements)

    def _error(self, name, error):
        return student_error(name, error, self.aliases.get(name, ()), self._defined_names,
                             self.limits.memory_bytes)

    def output_text(self):
        return "\n".join(o.text() for o in self.outputs if o.text())


class Callbacks:
    """The reference's answers to one call's callbacks, on the trusted side.

    Only the helpers the call substitutes (``allowed``) are answered (the call stops after
    CALLBACKS_PER_CALL requests), on arguments no larger than the call's own ``given``
    (a few times as many numbers, integers as large as its dimensions), with an answer of
    at most CALLBACK_ANSWER_BYTES: whatever student code asks, the grader's memory and
    time stay those of the check.
    """

    def __init__(self, oracle, allowed, given):
        self.oracle, self.allowed, self.count = oracle or {}, set(allowed), 0
        numbers, ints = _size(given)
        self.max_numbers = 4 * numbers + 10_000
        self.max_int = 10 * ints + 100

    def answer(self, request):
        self.count += 1
        name = request.get("callback")
        if not isinstance(name, str) or name not in self.allowed:
            return {"error": f"the grader answers no call of {str(name)[:40]} here"}
        args, kwargs = request.get("args"), request.get("kwargs")
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            return {"error": "malformed callback"}
        numbers, ints = _size((args, kwargs))
        if numbers > self.max_numbers or ints > self.max_int:
            return {"error": f"{name} was called on arguments far larger than the check's"}
        try:
            value = self.oracle[name](*args, **kwargs)
        except Exception as exc:  # bad arguments from student code: tell it, like numpy would
            return {"error": f"{type(exc).__name__}: {exc}"[:300]}
        if len(wire.encode({"value": value})) > CALLBACK_ANSWER_BYTES:
            return {"error": f"the answer of {name} would be too large"}
        return {"value": value}


def _size(value, depth=0):
    """(how many numbers ``value`` holds, its largest integer or array dimension), for plain data."""
    import numpy as np
    if depth > wire.MAX_DEPTH:
        return 0, 0
    if isinstance(value, np.ndarray):
        return value.size, max(value.shape, default=0)
    if isinstance(value, (bool, float, np.floating)) or value is None:
        return 1, 0
    if isinstance(value, str):
        return len(value) // 8 + 1, 0
    if isinstance(value, (int, np.integer)):
        return 1, abs(int(value))
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        parts = [_size(v, depth + 1) for v in value]
        return sum(p[0] for p in parts) + len(parts), max((p[1] for p in parts), default=0)
    return 1, 0


def _index(value, count):
    return value if type(value) is int and 0 <= value < count else None


_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")  # CSI, OSC, Fe
_CONTROLS = re.compile(r"[\x00-\x07\x0b\x0c\x0e-\x1f\x7f]")


def as_a_terminal_shows(text):
    """Printed text as it last stood on a terminal. A progress bar (Keras's ``fit``) redraws its
    line with carriage returns, backspaces and colour codes, which a page would show as noise.
    Linear in the text's length: call it on text already cut to size."""
    lines = []
    for line in _ESCAPES.sub("", text).split("\n"):
        first, *rest = line.rstrip("\r").rsplit("\r", 1)[-1].split("\b")  # what the last redraw left
        kept = list(first)
        for part in rest:  # each backspace takes back the character before it
            if kept:
                kept.pop()
            kept.extend(part)
        lines.append(_CONTROLS.sub("", "".join(kept)))
    return "\n".join(lines)


def _cut(value, limit):
    """``value`` as text of at most ``limit`` characters (anything but a string counts as none)."""
    if not isinstance(value, str):
        return ""
    return value if len(value) <= limit else value[:limit] + _("... [{count:,} more characters cut]").format(
        count=len(value) - limit)


def _clean_error(error):
    """A failed call's record as the child sent it, every field checked and cut to size."""
    error = error if isinstance(error, dict) else {}
    clean = {key: _cut(error.get(key), limit) for key, limit in TEXT_CHARS.items()}
    clean["type"] = clean["type"] or "Error"
    return clean


def _clean_warnings(warnings):
    return [_cut(w, WARNING_CHARS) for w in (warnings if isinstance(warnings, list) else [])[:WARNINGS]]


# -- how a failed call reads to the student (the sandbox's and the Jupyter kernel's) ----------
def failed_function(name, target, error):
    """The function a failed call is reported under: the one called, or for a harness call (which
    drives the student's code) the student's function that failed, else the harness's run."""
    return name if target == "module" else error.get("function") or call_label(name, target)


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
    """The exception a check sees for ``error``, a failed call's record (type, message, where,
    function), which it keeps as ``record``.

    ``defined_names()``: the names the submission defines, looked at only when ``name`` is
    missing and one of its ``aliases`` might be what the student wrote instead.
    """
    exception = _student_error(name, error, aliases, defined_names, memory_bytes)
    exception.record = error
    return exception


def _student_error(name, error, aliases, defined_names, memory_bytes):
    where = _(" at {where}").format(where=error["where"]) if error.get("where") else ""
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
    # A harness's own messages are in its assignment's catalogue; anything else is left as it is.
    message = _(error["message"]) if error["message"] else ""
    return StudentException(_("{name} raised {error}").format(name=name, error=f"{error['type']}: {message}")
                            + where, error["type"])
