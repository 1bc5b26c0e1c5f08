"""The engine as a pytest plugin: fixtures that reach the sandbox, and result collection.

Checks are ordinary pytest tests marked with ``autograder.checks.check``. This
plugin gives them fixtures (``student``, ``reference``, ``dataset``, ``assignment``,
``artifacts``) and turns each test's outcome into a ``CheckResult`` worth points.

``artifacts`` is a dict a check or fixture fills with plain data about the submission
(numbers, lists, dicts); it ends up in results.json under ``extra_data.artifacts``.
Two shapes are drawn: a number is plotted as a distribution over the class in
summary.html; ``artifacts["plots"]``, a list of ``{"title", "xlabel", "ylabel",
"series": {label: {"x": [...], "y": [...]}}}``, is drawn in the student's feedback.html.
"""
from dataclasses import dataclass, field

import pytest

from . import data, definitions, permutation, submission
from .checks import CheckFailed
from .i18n import _
from .proxy import StudentCalls
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
    printed: str = ""  # what student code printed during this check

    @property
    def name(self):
        return f"{self.function}: {self.title}"

    @property
    def points(self):
        return self.max_points if self.passed else 0.0


class SubmissionUnavailable(Exception):
    """The submission could not be read or started; every check fails with this message."""


class StudentProxy(StudentCalls):
    """``student.softmax(x)`` runs ``softmax`` in the sandbox and returns plain data."""

    def __init__(self, sandbox, graded):
        self._sandbox, self._graded, self.warnings, self.printed = sandbox, graded, [], []

    def call(self, name, *args, oracles=(), timeout=None, target="module", requires=(), **kwargs):
        try:
            return self._sandbox.call(name, *args, oracles=oracles, timeout=timeout, target=target,
                                      requires=requires, **kwargs)
        finally:
            self.warnings += [w for w in self._sandbox.warnings if w not in self.warnings]
            if self._sandbox.printed:
                self.printed.append(self._sandbox.printed)


def _cut(text, limit):
    return text if len(text) <= limit else text[:limit] + f"\n... [{len(text) - limit:,} more characters of output cut]"


def _student_message(excinfo):
    exc = excinfo.value
    if isinstance(exc, (CheckFailed, StudentError, SubmissionUnavailable)):
        return str(exc)
    if excinfo.typename == "Failed" and "Timeout" in str(exc):
        return _("the check timed out")
    return _("the check could not use what your code returned ({error})").format(
        error=f"{excinfo.typename}: {str(exc)[:300]}")


PLUGIN = pytest.StashKey()


class GradingPlugin:
    def __init__(self, assignment, submission_path, *, hidden, limits=None):
        self.assignment = assignment
        self.hidden = hidden
        self.results = {}
        self.notes = []  # about the submission as a whole
        self.artifacts = {}  # filled by checks through the ``artifacts`` fixture
        self.sandbox = self.proxy = None
        self.load_error = None
        self.reference_module = assignment.load_reference() if hidden else None
        self.limits = limits or Limits.from_config(assignment.config.get("limits", {}))
        self.data_spec = assignment.config.get("dataset")
        self.sandbox_data = None
        if hidden and self.data_spec:
            # The trusted side needs only what student code never sees (the test split).
            private = [n for n in self.data_spec["sha256"] if n not in self.data_spec["sandbox_arrays"]]
            # Both splits are shuffled by the course's secret permutation, so only weights
            # trained here, on the grader's copy, can score (see permutation.py).
            shuffle = permutation.for_dataset(self.data_spec)
            self.arrays = data.permuted(data.load(self.data_spec, private), shuffle)
            self.sandbox_data = data.sandbox_cache(self.data_spec, shuffle)
        try:
            self.submission = submission.load(submission_path, assignment.module)
            self.statements, skipped = definitions.select(self.submission.chunks)
            self.notes += self.submission.notes + skipped
        except submission.SubmissionError as err:
            self.load_error = err

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
    def pytest_runtest_protocol(self, item):
        # Setup counts too: module fixtures (a training run) call student code there.
        if self.proxy:
            self.proxy.warnings, self.proxy.printed = [], []
        yield
        if self.proxy:
            result = self.results[item.nodeid]
            result.notes = [_("your code warned: {warning}").format(warning=w) for w in self.proxy.warnings]
            result.printed = _cut("\n".join(self.proxy.printed), 4000)

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
            result.message = _("not run: {reason}").format(reason=str(call.excinfo.value)[:200]) if call.excinfo \
                else _("not run")

    def pytest_sessionfinish(self):
        if self.sandbox is not None:
            self.sandbox.close()
            self.notes += self.sandbox.notes + [_("while loading: {error}").format(error=e)
                                                for e in self.sandbox.load_errors]

    def open_sandbox(self):
        if self.load_error:
            raise SubmissionUnavailable(submission.unreadable_note(self.load_error.translated()))
        oracle = {name: getattr(self.reference_module, name) for name in self.assignment.graded
                  } if self.reference_module else None
        self.sandbox = Sandbox(self.statements, self.assignment.module, limits=self.limits,
                               harness=self.assignment.harness, oracle=oracle,
                               keep=[self.sandbox_data] if self.sandbox_data else (),
                               aliases=self.assignment.config.get("aliases"))
        self.proxy = StudentProxy(self.sandbox, self.assignment.graded)
        return self.proxy

    def student_output(self):
        """What student code printed during public checks; hidden checks' output could show their inputs."""
        return "\n".join(f"[{r.name}]\n{r.printed}" for r in self.results.values() if r.printed and not r.hidden)

    def process_output(self):
        """Output written below Python's print (C code, os.write): for the instructor only."""
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
            "cache_folder": str(data.SOURCE_DATA / "cache"),  # trusted; the sandbox never sees it
            "schedule": plugin.assignment.config.get("schedule", {})}


@pytest.fixture(scope="session")
def assignment(request):
    """The assignment being graded (its paths and assignment.toml), trusted side only."""
    return request.config.stash[PLUGIN].assignment


@pytest.fixture(scope="session")
def artifacts(request):
    """Plain data recorded about the submission; see the module docstring."""
    return request.config.stash[PLUGIN].artifacts
