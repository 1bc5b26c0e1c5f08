"""The kit's checks, run inside a Jupyter kernel: what the notebook's test cells call.

In nbgrader the student's notebook runs in one kernel and nbgrader scores its test
cells. Each test cell of the kit's notebook calls ``run(assignment, function, points)``:
it runs the same pytest checks, with the engine's own plugin and fixtures, as
``python -m autograder grade`` (the public ones; with ``hidden=True`` the instructor's
hidden ones) on the functions the notebook defined, prints what passed and failed, and
returns points, which nbgrader reads as the cell's partial credit. There is one
definition of each check: the test modules.

Student code runs in this process (nbgrader has no sandbox), so this module defends
only what a test cell can defend:

- the notebook's functions are read from the calling cell's frame, and the checks come
  from modules loaded here: rebinding names in the notebook (``np``, ``run``,
  ``expect_close``, ...) changes nothing the checks use;
- every value a student function returns becomes plain data first (numbers, numeric
  arrays, tuples, lists, dicts; anything else an ``Opaque`` placeholder), exactly as
  the sandbox's wire does, so always-equal objects and ndarray subclasses are inert;
- warnings and output of student code are captured and reported on stdout: nbgrader
  gives 0 to a test cell that writes to stderr;
- each call gets the kit's time limit (``[limits] call_seconds`` in assignment.toml).

Only the standard library is imported at module level: the kit's own grader runs a
notebook's import lines in its sandbox, this one included.
"""
import contextlib
import io
import json
import linecache
import os
import random
import signal
import sys
import threading
from pathlib import Path

from ..proxy import StudentCalls
from ..sandbox.child import BoundedText, missing_record

MAX_OUTPUT_CHARS = 4000
_public_points = {}  # (assignment, function) -> points of the last public run, for the hidden run
_public_scores = {}  # (assignment, function) -> (points, most) of its last public run in this kernel


class _CallTimeout(BaseException):
    """Raised into student code when its time is up (BaseException: ``except Exception`` keeps running)."""


def find_assignment(assignment_id):
    """The assignment: beside the installed engine (the kit, the handout), else above the cwd."""
    from .. import assignment as assignments
    roots = [assignments.ROOT, Path.cwd(), *Path.cwd().parents]
    for root in roots:
        if (root / "assignments" / assignment_id / "assignment.toml").is_file():
            return assignments.Assignment(assignment_id, root)
    raise RuntimeError(f"the assignment {assignment_id!r} was not found: install the kit (pip install -e .) "
                       "or open the notebook inside it")


def plain(value):
    """``value`` as the sandbox's wire would deliver it: fresh numbers, arrays, tuples, lists, dicts."""
    from .. import wire
    buffers = []
    doc = json.dumps(wire._encode(value, buffers, 0), allow_nan=False)
    return wire.decode(doc, buffers)


class _View:
    """Attribute access to the notebook's namespace: what the harness calls ``student``."""

    def __init__(self, namespace):
        self.__dict__["_namespace"] = namespace

    def __getattr__(self, name):
        try:
            return self._namespace[name]
        except KeyError:
            raise AttributeError(name, name=name, obj=self) from None


class KernelStudent(StudentCalls):
    """``student.softmax(x)`` calls the notebook's ``softmax`` and returns plain data.

    The same interface as the sandbox's proxy (autograder/plugin.py), so the checks
    cannot tell the difference.
    """

    def __init__(self, namespace, graded, reference=None, call_seconds=5.0, harness=None, aliases=None):
        from ..plugin import new_heard
        self._namespace, self._graded, self._reference = namespace, list(graded), reference
        self._call_seconds, self._harness_path, self._aliases = call_seconds, harness, aliases or {}
        self._harness = None
        self._view = _View(namespace)  # what the harness calls ``student``
        self._heard = new_heard()  # the plugin's record of what student code warned during a check
        self._times = (0.0, 0.0)
        self.output, self.hung = BoundedText(MAX_OUTPUT_CHARS), set()

    def times(self):
        """(CPU seconds, seconds waiting for a CPU) inside calls of the notebook's code."""
        return self._times

    # -- the proxy's interface -----------------------------------------------------------
    def call(self, name, *args, oracles=(), timeout=None, target="module", requires=(), **kwargs):
        from ..sandbox.runner import StudentTimeout, already_hung, call_label, did_not_finish, failed_function
        label = call_label(name, target)
        stuck = [n for n in (name, *requires) if n in self.hung]
        if stuck:
            raise already_hung(label, stuck[0])
        owner = self._load_harness() if target == "harness" else None
        function = getattr(owner, name, None) if owner else self._namespace.get(name)
        if function is None or not callable(function):
            return self._fail(name, {"type": "missing", "message": name, "where": ""})
        if target == "harness":
            args = (self._view, *args)
        value, error = self._run(function, args, kwargs, oracles, timeout or self._call_seconds)
        if error == "timeout":
            self.hung.add(name)
            raise StudentTimeout(f"{label} {did_not_finish(timeout or self._call_seconds)}")
        if error:
            return self._fail(failed_function(name, target, error), error)
        try:
            return plain(value)
        except Exception as exc:  # a value plain data cannot carry
            return self._fail(name, {"type": "UnsendableValue", "message": str(exc)[:200], "where": ""})

    # -- running student code ------------------------------------------------------------
    def _load_harness(self):
        if self._harness is None and self._harness_path:
            from ..assignment import load_module
            self._harness = load_module(self._harness_path, "harness")
        return self._harness

    def _oracle(self, name):
        reference = getattr(self._reference, name)

        def oracle(*args, **kwargs):
            return plain(reference(*plain(list(args)), **plain(kwargs)))
        oracle.__name__ = name
        return oracle

    def _run(self, function, args, kwargs, oracles, timeout):
        """(value, None) or (None, error): error is "timeout" or the sandbox's error record."""
        import warnings

        import numpy as np
        oracles = [o for o in oracles if self._reference is not None and hasattr(self._reference, o)]
        saved = {n: self._namespace.get(n) for n in oracles}
        self._namespace.update({n: self._oracle(n) for n in oracles})
        np.random.seed(0)  # as in the sandbox: student code that draws random numbers stays deterministic
        random.seed(0)
        from ..sandbox import jail
        value = error = None
        start = jail.tree_times(os.getpid())
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(self.output), \
                contextlib.redirect_stderr(self.output):
            warnings.simplefilter("always")
            try:
                with _time_limit(timeout):
                    value = function(*args, **kwargs)
            except _CallTimeout:
                error = "timeout"
            except KeyboardInterrupt:
                raise  # nbgrader's cell timeout: stop the whole cell
            except BaseException as exc:  # noqa: B036 - SystemExit in student code is a failure too
                error = self._describe(exc)
            finally:
                for n, old in saved.items():
                    if old is None:
                        self._namespace.pop(n, None)
                    else:
                        self._namespace[n] = old
        self._times = tuple(t + now - then for t, now, then in zip(self._times, jail.tree_times(os.getpid()), start))
        said = self._heard["warnings"]
        said += [w for w in dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught) if w not in said][:5]
        return value, error

    def _describe(self, exc):
        missing = missing_record(exc, self._view)
        if missing:
            return missing
        where, tb = "", exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_globals is self._namespace:
                code = tb.tb_frame.f_code
                text = linecache.getline(code.co_filename, tb.tb_lineno).strip()
                where = f"line {tb.tb_lineno} of the cell defining {code.co_name}" + (f": {text}" if text else "")
            tb = tb.tb_next
        return {"type": type(exc).__name__, "message": str(exc)[:500], "where": where}

    def _fail(self, name, error):
        from ..sandbox.runner import student_error
        raise student_error(name, error, self._aliases.get(name, ()), lambda: set(self._namespace))


@contextlib.contextmanager
def _time_limit(seconds):
    """Raise _CallTimeout into the code after ``seconds``, again every 0.25 s until it stops."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    state = {"armed": True}

    def on_alarm(signum, frame):
        if state["armed"]:
            raise _CallTimeout()
        signal.setitimer(signal.ITIMER_REAL, 0)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds, 0.25)
        try:
            yield
        finally:
            state["armed"] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)


def _kernel_plugin(assignment, function, student, reference, hidden):
    """The engine's own pytest plugin (autograder/plugin.py), pointed at this kernel.

    Its hooks turn each check's outcome into points and messages, and its fixtures
    (student, reference, dataset, ...) serve the checks, exactly as in the kit's grader;
    only the ``student`` proxy differs, and only ``function``'s checks are collected.
    """
    from .. import data
    from ..plugin import GradingPlugin

    class KernelPlugin(GradingPlugin):
        def __init__(self):  # no submission to read or sandbox to start
            self.assignment, self.hidden, self.function = assignment, hidden, function
            self.results, self.notes, self.artifacts = {}, [], {}
            self.sandboxes, self.load_error, self.closed = {}, None, False
            self.heard = student._heard
            self._reference = reference
            self.data_spec = assignment.config.get("dataset") if hidden else None
            self._arrays = None

        @property
        def arrays(self):  # loaded only if a check asks for the data set
            if self._arrays is None and self.data_spec:
                self._arrays = data.load(self.data_spec)
            return self._arrays

        def open_sandbox(self):
            return student

        def pytest_collection_modifyitems(self, config, items):
            super().pytest_collection_modifyitems(items)
            drop = [i for i in items if self.results[i.nodeid].function != function]
            self.results = {k: r for k, r in self.results.items() if r.function == function}
            if drop:
                config.hook.pytest_deselected(items=drop)
                items[:] = [i for i in items if i not in drop]

        def student_output(self):
            return student.output.text()

    return KernelPlugin()


def _run_checks(assignment, function, namespace, hidden):
    """Run one function's public (or hidden) checks with pytest; return (results, student)."""
    import pytest

    from .. import i18n
    from .. import plugin as fixtures
    from ..grading import CHECKS_INI
    i18n.choose(assignment)
    reference = assignment.load_reference() if assignment.has_solutions else None
    limits = assignment.config.get("limits", {})
    student = KernelStudent(namespace, assignment.graded, reference, limits.get("call_seconds", 5),
                            assignment.harness, assignment.config.get("aliases"))
    plugin = _kernel_plugin(assignment, function, student, reference, hidden)
    folder = assignment.hidden_tests if hidden else assignment.public_tests
    args = [str(folder), "-c", str(CHECKS_INI), "--rootdir", str(assignment.root),
            "-q", "-p", "no:faulthandler", "--capture=sys", "-o", "timeout=0"]
    log = io.StringIO()
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        code = pytest.main(args, plugins=[plugin, fixtures])
    if code == pytest.ExitCode.INTERRUPTED:
        raise KeyboardInterrupt("the checks were interrupted")
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise RuntimeError(f"the checks could not run (pytest exit code {int(code)})")
    return list(plugin.results.values()), student


def run(assignment_id, function, points=None, hidden=False):
    """Run ``function``'s checks on the calling notebook's code; print them; return the points.

    ``hidden=False``: the public checks, in detail. The return value is what the test cell
    can still earn: the public points earned plus the rest of the cell's ``points`` (the
    hidden checks', not run here), so that ``nbgrader validate`` calls a notebook that passes
    every public check a success. ``hidden=True`` (only in the instructor's notebook): the
    hidden checks, passed/failed only; the return value is the points earned, public
    (from this cell's public run) and hidden.
    """
    namespace = sys._getframe(1).f_globals  # the notebook's globals, whatever names it rebound
    assignment = find_assignment(assignment_id)
    if hidden and not assignment.has_solutions:
        raise RuntimeError("the hidden checks need the instructor's solutions folder")
    results, student = _run_checks(assignment, function, namespace, hidden)
    from ..i18n import _
    got = sum(c.points for c in results)
    most = sum(c.max_points for c in results)
    out = []
    if hidden:
        out.append(_("{function}: hidden checks {got:g} / {most:g} points (their inputs and details are not shown)"
                     ).format(function=function, got=got, most=most))
        out += [(_("  hidden check {number}: passed ({got:g}/{most:g})") if c.passed else
                 _("  hidden check {number}: failed ({got:g}/{most:g})")).format(number=i, got=c.points, most=c.max_points)
                for i, c in enumerate(results, 1)]
        public = _public_points.pop((assignment_id, function), None)
        if public is None:  # no public run in this cell: run them now, quietly
            public = sum(c.points for c in _run_checks(assignment, function, namespace, False)[0])
        total = public + got
        out.append(_("{function}: {total:g} points in all (the number below, which nbgrader records)").format(
            function=function, total=total))
    else:
        out.append(_("{function}: {got:g} of {most:g} points from the public checks").format(
            function=function, got=got, most=most) if results else
            _("{function} has no public checks").format(function=function))
        for c in results:
            mark = _("PASS") if c.passed else _("FAIL")
            out.append(f"  {mark}  {c.title} ({c.points:g}/{c.max_points:g})")
            for line in ([c.message] if c.message and not c.passed else []) + c.notes:
                out.append("        " + line.replace("\n", "\n        "))
        printed = student.output.text().strip()
        if printed:
            out += [_("  what your code printed during the checks:")] + ["    " + l for l in printed.splitlines()[:20]]
        _public_points[(assignment_id, function)] = got
        _public_scores[(assignment_id, function)] = (got, most)
        rest = max(float(points) - most, 0.0) if points is not None else 0.0
        total = got + rest
        if rest:
            out.append(_("{function}: hidden checks worth {rest:g} more points run when your notebook is graded").format(
                function=function, rest=rest))
        failing = [f for (a, f), (g, m) in _public_scores.items() if a == assignment_id and f != function and g < m]
        if rest and not results and failing:  # its hidden checks use the functions above (the network: train_step)
            out.append(_("{function}: they use your other functions, and public checks above still fail for {failing}"
                         ).format(function=function, failing=", ".join(failing)))
        out.append((_("{function}: the number below ({total:g}) is what nbgrader's Validate counts for this cell: "
                      "{got:g} earned + {rest:g} the hidden checks may add") if rest else
                    _("{function}: the number below ({total:g}) is what nbgrader's Validate counts for this cell")
                    ).format(function=function, total=total, got=got, rest=rest))
    print("\n".join(out))
    return float(total)
