"""The sandbox child: the only process that ever runs student code.

Started by ``runner.Sandbox`` as ``python -I -c <boot> CONFIG``; talks to the
trusted grader over two pipes with ``wire`` messages and nothing else.

Requests (grader -> child):
  {"op": "load", "statements": [[label, line, source], ...]}
  {"op": "call", "target": "module"|"harness", "name", "args", "kwargs", "oracles": [names]}
Replies (child -> grader):
  {"loading": index}                    before each statement, so a hang is pinpointed
  {"loaded": true, "errors": [...]}     after the last one
  {"callback": name, "args": [...]}     an oracle needs the grader's reference; a reply follows
  {"ok": true, "value": ...,  "warnings": [...]}
  {"ok": false, "error": {"type", "message", "where", "function"}, "warnings": [...]}
"""
import io
import json
import os
import sys


def main():
    config = json.loads(sys.argv[2])  # argv[1] is the engine folder, see BOOT
    if config["jail"]:
        from autograder.sandbox import jail
        work = jail.enter(config["jail"], config["max_processes"], config["tmp_bytes"])
    elif config["restricted"]:
        from autograder.sandbox import restricted
        work = restricted.enter(config["restricted"])
    else:
        work = config["workdir"]
    os.chdir(work)
    os.environ["HOME"] = os.environ["TMPDIR"] = work
    _Server(config).serve()


class _Server:
    def __init__(self, config):
        # numpy is imported only now, after the privilege drop, with one BLAS thread.
        import numpy
        import types
        from autograder import wire
        self.np, self.wire = numpy, wire
        self.reader = wire.Reader(config["fd_in"])
        self.fd_out = config["fd_out"]
        self.module = types.ModuleType(config["module_name"])
        self.module.__file__ = config["module_name"] + ".py"
        sys.modules[config["module_name"]] = self.module
        self.lines = {}  # (label, line) -> text, for "where did it fail" messages
        self.harness = self._load_harness(config.get("harness"))

    def _load_harness(self, path):
        from autograder.assignment import load_module
        return load_module(path, "harness") if path else None

    def send(self, message):
        self.wire.send(self.fd_out, message)

    def serve(self):
        while True:
            try:
                request = self.reader.receive()
            except self.wire.WireClosed:
                return
            handler = {"load": self.load, "call": self.call}[request["op"]]
            reply = handler(request)
            try:
                self.send(reply)
            except Exception as exc:  # a value the wire cannot carry, e.g. an unencodable string
                self.send({"ok": False, "warnings": [], "error": {
                    "type": "UnsendableValue", "message": str(exc)[:200], "where": ""}})

    def load(self, request):
        errors = []
        for index, (label, line, source) in enumerate(request["statements"]):
            self.send({"loading": index})
            for offset, text in enumerate(source.splitlines()):
                self.lines[(label, line + offset)] = text
            try:
                code = compile("\n" * (line - 1) + source, label, "exec")
                exec(code, self.module.__dict__)
            except BaseException as exc:  # noqa: B036 - SystemExit in student code is a failure too
                errors.append({"index": index, **self._describe(exc)})
        return {"loaded": True, "errors": errors}

    def _oracle(self, name):
        def oracle(*args, **kwargs):
            self.send({"callback": name, "args": list(args), "kwargs": kwargs})
            reply = self.reader.receive()
            if "error" in reply:
                raise RuntimeError(reply["error"])
            return reply["value"]
        oracle.__name__ = name
        return oracle

    def call(self, request):
        import contextlib
        import random
        import warnings
        owner = self.harness if request["target"] == "harness" else self.module
        name = request["name"]
        function = getattr(owner, name, None)
        if function is None or not callable(function):
            return {"ok": False, "error": {"type": "missing", "message": name, "where": ""}}
        names = self.module.__dict__
        missing = object()
        saved = {n: names.get(n, missing) for n in request.get("oracles", ())}
        names.update({n: self._oracle(n) for n in saved})
        args = request["args"]
        if request["target"] == "harness":
            args = [self.module, *args]
        self.np.random.seed(0)  # student code that draws random numbers stays deterministic
        random.seed(0)
        printed = BoundedText()  # per call, so the grader can tell which check's output it is
        with warnings.catch_warnings(record=True) as caught, \
                contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            warnings.simplefilter("always")
            try:
                reply = {"ok": True, "value": function(*args, **request["kwargs"])}
            except BaseException as exc:  # noqa: B036
                reply = {"ok": False, "error": self._describe(exc)}
            finally:  # a helper the submission does not define is removed again, not left as None
                for n, value in saved.items():
                    if value is missing:
                        names.pop(n, None)
                    else:
                        names[n] = value
        messages = list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))
        reply["warnings"] = messages[:5]
        reply["printed"] = printed.text()
        return reply

    def _describe(self, exc):
        import traceback
        missing = missing_record(exc, self.module)
        if missing:
            return missing
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if (f.filename, f.lineno) in self.lines]
        where, function = "", ""
        if frames:
            last = frames[-1]
            where = f"{last.filename}, line {last.lineno}: {self.lines[(last.filename, last.lineno)].strip()}"
            function = last.name
        elif isinstance(exc, SyntaxError) and exc.filename:
            where = f"{exc.filename}, line {exc.lineno}"
        return {"type": type(exc).__name__, "message": str(exc)[:500], "where": where, "function": function}


def missing_record(exc, module):
    """The record of a call that failed because ``module`` (the student's) lacks a function the
    harness asked it for: the same as a missing function called directly."""
    if isinstance(exc, AttributeError) and getattr(exc, "obj", None) is module and exc.name:
        return {"type": "missing", "message": exc.name, "where": "", "function": exc.name}
    return None


class BoundedText(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit=4096):
        self.limit, self.parts, self.size = limit, [], 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        if self.size < self.limit:
            self.parts.append(text[:self.limit - self.size])
        self.size += len(text)
        return len(text)

    def text(self):
        kept = "".join(self.parts)
        cut = self.size - len(kept)
        return kept + (f"\n... [{cut:,} more characters of output cut]" if cut else "")


BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from autograder.sandbox.child import main; main()"

if __name__ == "__main__":
    main()
