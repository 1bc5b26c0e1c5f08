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
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

from . import data, definitions, submission
from .checks import CheckFailed
from .i18n import _
from .proxy import StudentCalls
from .sandbox.runner import PRINTED_CHARS, Limits, Sandbox, Shared, StudentError, as_a_terminal_shows


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
    isolated: list = field(default_factory=list)  # functions it called with the reference's helpers (in grade)

    @property
    def name(self):
        return f"{self.function}: {self.title}"

    @property
    def points(self):
        return self.max_points if self.passed else 0.0


class SubmissionUnavailable(Exception):
    """The submission could not be read or started; every check fails with this message."""


class StudentProxy(StudentCalls):
    """``student.softmax(x)`` runs ``softmax`` in a sandbox and returns plain data.

    ``sandbox(name)`` gives the sandbox a call runs in: ``name`` None for the running
    check's (public and hidden checks each have a process of their own), else a named one
    (``own_process``). What student code warns and prints goes into ``heard``.
    """

    def __init__(self, sandbox, graded, heard=None, process=None):
        self._sandbox, self._graded, self._process = sandbox, graded, process
        self._heard = heard if heard is not None else new_heard()

    def own_process(self, name):
        return StudentProxy(self._sandbox, self._graded, self._heard, name)

    def times(self):
        return self._sandbox(self._process).times()

    def isolated(self, name):
        self._heard["isolated"].add(name)  # grade answers its helpers with the reference; check cannot
        return super().isolated(name)

    def call(self, name, *args, oracles=(), timeout=None, target="module", requires=(), **kwargs):
        sandbox = self._sandbox(self._process)
        try:
            return sandbox.call(name, *args, oracles=oracles, timeout=timeout, target=target,
                                requires=requires, **kwargs)
        finally:
            warnings = self._heard["warnings"]
            warnings += [w for w in sandbox.warnings if w not in warnings]
            if sandbox.printed:
                self._heard["printed"].append(sandbox.printed)


def new_heard():
    """What student code said during one check: warnings, printed text, and the functions called isolated."""
    return {"warnings": [], "printed": [], "isolated": set()}


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
        self.sandboxes = {}  # process name -> Sandbox: "public", "hidden", and any a check asks for
        self.shared = None
        self.closed = False
        self.phase = "public"  # whose process the running check's calls go to
        self.heard = new_heard()  # from student code during the running check
        self.load_error = None
        self._reference = None  # the instructor's module, imported when a check or a callback first needs it
        self.limits = limits or Limits.from_config(assignment.config.get("limits", {}))
        self.data_spec = assignment.config.get("dataset")
        if hidden and self.data_spec:  # the trusted side's copy; student code gets only the batches it is sent
            self.arrays = data.load(self.data_spec)
        try:
            self.submission = submission.load(submission_path, assignment.module)
            self.statements, skipped = definitions.select(self.submission.chunks)
            self.notes += self.submission.notes + skipped
        except submission.SubmissionError as err:
            self.load_error = err

    @property
    def reference_module(self):
        """The instructor's reference (hidden checks only), imported on first use: a reference that
        imports a heavy library (TensorFlow) costs nothing to a grade whose checks never call it."""
        if self._reference is None and self.hidden:
            self._reference = self.assignment.load_reference()
        return self._reference

    def _oracle(self):
        """The reference's graded functions, answering callbacks (``student.isolated``); imported on the first."""
        return _Lazy(lambda: self.reference_module, self.assignment.graded) if self.hidden else None

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
        result = self.results[item.nodeid]
        self.phase = "hidden" if result.hidden else "public"
        self.heard.update(new_heard())
        yield
        result.notes = [_("your code warned: {warning}").format(warning=w) for w in self.heard["warnings"]]
        result.printed = as_a_terminal_shows(_cut("\n".join(self.heard["printed"]), PRINTED_CHARS))
        result.isolated = sorted(self.heard["isolated"])

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
        self.close()

    def close(self):
        for sandbox in self.sandboxes.values():
            sandbox.close()
        # About loading the submission: the first process's view (the public checks' one). A
        # later process loads the same code, but only the first cannot have learnt anything
        # from a hidden check's inputs, so only its words reach the student.
        first = self.sandboxes.get("public") or next(iter(self.sandboxes.values()), None)
        if first is not None and not self.closed:
            self.notes += first.notes + [_("while loading: {error}").format(error=e) for e in first.load_errors]
        self.closed = True

    def open_sandbox(self):
        """The proxy checks call the student through (the ``student`` fixture)."""
        if self.load_error:
            raise SubmissionUnavailable(submission.unreadable_note(self.load_error.translated()))
        return StudentProxy(self.sandbox, self.assignment.graded, self.heard)

    def sandbox(self, name=None):
        """The sandbox ``name`` (default: the running check's phase), started on first use.

        One process runs at a time: the others are closed first (a closed sandbox starts
        again if it is called again), so nothing of one phase is alive during the next, and
        the sandbox uid (one per grading process) belongs to one process tree at a time.
        """
        name = name or self.phase
        for other, sandbox in self.sandboxes.items():
            if other != name:
                sandbox.close()
        if name not in self.sandboxes:
            oracle = self._oracle()
            if self.shared is None:
                self.shared = Shared(time.monotonic() + self.limits.submission_seconds)
            self.sandboxes[name] = Sandbox(self.statements, self.assignment.module, limits=self.limits,
                                           harness=self.assignment.harness, oracle=oracle, shared=self.shared,
                                           aliases=self.assignment.config.get("aliases"),
                                           env=self.assignment.sandbox_env)
        return self.sandboxes[name]

    def student_output(self):
        """What student code printed during public checks; hidden checks' output could show their inputs."""
        return "\n".join(f"[{r.name}]\n{r.printed}" for r in self.results.values() if r.printed and not r.hidden)

    def process_output(self):
        """Output written below Python's print (C code, os.write): for the instructor only."""
        return "\n".join(f"--- {name} ---\n{s.output_text()}" for name, s in self.sandboxes.items()
                         if s.output_text().strip())


class _Lazy(Mapping):
    """{name: the module's function}, the module loaded by ``load()`` when a function is first asked for."""

    def __init__(self, load, names):
        self._load, self._names = load, list(names)

    def __getitem__(self, name):
        if name not in self._names:
            raise KeyError(name)
        return getattr(self._load(), name)

    def __contains__(self, name):  # without loading the module
        return name in self._names

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)


# Fixtures for checks; they reach the active plugin through the pytest config.
@pytest.fixture(scope="session")
def student(request):
    plugin = request.config.stash[PLUGIN]
    yield plugin.open_sandbox()
    plugin.close()


@pytest.fixture(scope="session")
def reference(request):
    module = request.config.stash[PLUGIN].reference_module
    if module is None:
        pytest.skip("needs the instructor's reference")
    return module


@pytest.fixture(scope="session")
def dataset(request):
    """The data set's verified arrays, trusted side only: student code gets what a check sends it."""
    plugin = request.config.stash[PLUGIN]
    if not getattr(plugin, "arrays", None):
        pytest.skip("needs the data set")
    return {"arrays": plugin.arrays, "cache_folder": str(data.SOURCE_DATA / "cache"),
            "schedule": plugin.assignment.config.get("schedule", {})}


@pytest.fixture(scope="session")
def assignment(request):
    """The assignment being graded (its paths and assignment.toml), trusted side only."""
    return request.config.stash[PLUGIN].assignment


@pytest.fixture(scope="session")
def artifacts(request):
    """Plain data recorded about the submission; see the module docstring."""
    return request.config.stash[PLUGIN].artifacts
