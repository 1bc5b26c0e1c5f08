"""The engine as a pytest plugin: fixtures that reach the sandbox, and result collection.

Checks are ordinary pytest tests marked with ``autograder.checks.check``. This
plugin gives them three fixtures (``student``, ``reference``, ``dataset``) and
turns each test's outcome into a ``CheckResult`` worth points.
"""
import functools
from dataclasses import dataclass, field

import pytest

from . import data, definitions, submission
from .checks import CheckFailed
from .sandbox.runner import Limits, Sandbox, StudentError


@dataclass
class CheckResult:
    function: str
    title: str
    max_points: float
    hidden: bool
    passed: bool = False
    message: str = ""
    notes: list = field(default_factory=list)

    @property
    def name(self):
        return f"{self.function}: {self.title}"

    @property
    def points(self):
        return self.max_points if self.passed else 0.0


class SubmissionUnavailable(Exception):
    """The submission could not be read or started; every check fails with this message."""


class StudentProxy:
    """``student.softmax(x)`` runs ``softmax`` in the sandbox and returns plain data."""

    def __init__(self, sandbox, graded):
        self._sandbox, self._graded, self.warnings = sandbox, graded, []

    def call(self, name, *args, oracles=(), timeout=None, target="module", requires=(), **kwargs):
        try:
            return self._sandbox.call(name, *args, oracles=oracles, timeout=timeout, target=target,
                                      requires=requires, **kwargs)
        finally:
            self.warnings += [w for w in self._sandbox.warnings if w not in self.warnings]

    def isolated(self, name):
        """Call ``name`` with the other graded functions answered by the reference.

        So a bug in softmax costs softmax's points, not train_step's as well. Without a
        reference (the student's self-check) the student's own functions are used.
        """
        return functools.partial(self.call, name, oracles=[g for g in self._graded if g != name])

    def harness(self, name, *args, timeout=None, **kwargs):
        """Call a harness function; it drives the student's code, so it needs all of it."""
        return self.call(name, *args, timeout=timeout, target="harness", requires=self._graded, **kwargs)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return functools.partial(self.call, name)


def _student_message(excinfo):
    exc = excinfo.value
    if isinstance(exc, (CheckFailed, StudentError, SubmissionUnavailable)):
        return str(exc)
    if excinfo.typename == "Failed" and "Timeout" in str(exc):
        return "the check timed out"
    return f"the check could not use what your code returned ({excinfo.typename}: {str(exc)[:300]})"


PLUGIN = pytest.StashKey()


class GradingPlugin:
    def __init__(self, assignment, submission_path, *, hidden, limits=None):
        self.assignment = assignment
        self.hidden = hidden
        self.results = {}
        self.notes = []  # about the submission as a whole
        self.sandbox = self.proxy = None
        self.load_error = None
        self.reference_module = assignment.load_reference() if hidden else None
        config = assignment.config.get("limits", {})
        self.limits = limits or Limits(call_seconds=config.get("call_seconds", 5),
                                       submission_seconds=config.get("submission_seconds", 300),
                                       memory_bytes=config.get("memory_mb", 2048) << 20)
        self.data_spec = assignment.config.get("dataset")
        self.sandbox_data = None
        if hidden and self.data_spec:
            self.arrays = data.load(self.data_spec)
            self.sandbox_data = data.sandbox_cache(self.data_spec, self.arrays)
        try:
            self.submission = submission.load(submission_path, assignment.module)
            self.statements, skipped = definitions.select(self.submission.chunks)
            self.notes += skipped
        except submission.SubmissionError as err:
            self.load_error = str(err)

    # -- hooks ---------------------------------------------------------------------------
    def pytest_configure(self, config):
        config.stash[PLUGIN] = self
        config.addinivalue_line("markers", "grade(function, title, points, hidden): a graded check")

    def pytest_collection_modifyitems(self, items):
        for item in items:
            marker = item.get_closest_marker("grade")
            if marker is None:
                raise pytest.UsageError(f"{item.nodeid} has no @check marker: every check must be worth points")
            kw = marker.kwargs
            self.results[item.nodeid] = CheckResult(kw["function"], kw["title"], float(kw["points"]),
                                                    bool(kw.get("hidden")))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        if self.proxy:
            self.proxy.warnings = []
        yield
        if self.proxy:
            self.results[item.nodeid].notes = [f"your code warned: {w}" for w in self.proxy.warnings]

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        result = self.results[item.nodeid]
        if report.when == "call":
            result.passed = report.passed
        if report.failed and call.excinfo is not None:
            result.message = _student_message(call.excinfo)
        elif report.skipped and report.when == "setup":
            result.message = "not run: " + str(call.excinfo.value)[:200] if call.excinfo else "not run"

    def pytest_sessionfinish(self):
        if self.sandbox is not None:
            self.sandbox.close()
            self.notes += self.sandbox.notes + [f"while loading: {e}" for e in self.sandbox.load_errors]

    def open_sandbox(self):
        if self.load_error:
            raise SubmissionUnavailable(f"your submission could not be read: {self.load_error}")
        oracle = {name: getattr(self.reference_module, name) for name in self.assignment.graded
                  } if self.reference_module else None
        self.sandbox = Sandbox(self.statements, self.assignment.module, limits=self.limits,
                               harness=self.assignment.harness, oracle=oracle,
                               keep=[self.sandbox_data] if self.sandbox_data else ())
        self.proxy = StudentProxy(self.sandbox, self.assignment.graded)
        return self.proxy

    def student_output(self):
        return self.sandbox.output_text() if self.sandbox else ""



# Fixtures for checks; they reach the active plugin through the pytest config.
@pytest.fixture(scope="session")
def student(request):
    plugin = request.config.stash[PLUGIN]
    proxy = plugin.open_sandbox()
    yield proxy
    plugin.sandbox.close()


@pytest.fixture(scope="session")
def reference(request):
    module = request.config.stash[PLUGIN].reference_module
    if module is None:
        pytest.skip("needs the instructor's reference")
    return module


@pytest.fixture(scope="session")
def dataset(request):
    plugin = request.config.stash[PLUGIN]
    if plugin.sandbox_data is None:
        pytest.skip("needs the data set")
    return {"arrays": plugin.arrays, "sandbox_folder": str(plugin.sandbox_data),
            "schedule": plugin.assignment.config.get("schedule", {})}
