"""Grade one submission: run the assignment's checks under the plugin, write the results."""
import contextlib
import io
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from . import plugin as fixtures
from . import i18n, report, submission
from .plugin import GradingPlugin
from .sandbox import jail

CHECKS_INI = Path(__file__).with_name("checks.ini")


@dataclass
class Outcome:
    student: str
    checks: list = field(default_factory=list)  # CheckResult, in the order they ran
    notes: list = field(default_factory=list)
    output: str = ""
    seconds: float = 0.0
    error: str = ""  # set when grading itself could not finish
    unreadable: str = ""  # why the submission could not be read (English, for the status line)
    resources: dict = field(default_factory=dict)
    artifacts: dict = field(default_factory=dict)  # plain data the checks recorded (plugin.artifacts)
    log: str = ""  # pytest's own report: for the instructor only, it may name hidden checks
    confinement: str = ""  # the sandbox's level (sandbox/jail.py) when student code ran

    @property
    def score(self):
        return sum(c.points for c in self.checks)

    @property
    def max_score(self):
        return sum(c.max_points for c in self.checks)


def student_id(path):
    path = Path(path)
    return path.stem if path.is_file() else path.name


def run_checks(assignment, path, *, hidden):
    """Run every check on ``path`` in this process; student code runs only in the sandbox."""
    start = time.monotonic()
    i18n.choose(assignment)  # before the checks are imported: their titles are translated then
    plugin = GradingPlugin(assignment, path, hidden=hidden)
    folders = [assignment.public_tests] + ([assignment.hidden_tests] if hidden else [])
    args = [*map(str, folders), "-c", str(CHECKS_INI), "--rootdir", str(assignment.root), "-q"]
    log = io.StringIO()
    with contextlib.redirect_stdout(log):  # pytest's own report is for debugging the kit only
        code = pytest.main(args, plugins=[plugin, fixtures])
    if code == pytest.ExitCode.INTERRUPTED:  # Ctrl-C: a half-graded submission must not be written
        raise KeyboardInterrupt("grading was interrupted")
    outcome = Outcome(student_id(path), list(plugin.results.values()), plugin.notes,
                      plugin.student_output(), time.monotonic() - start, artifacts=plugin.artifacts,
                      confinement=jail.level())
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        outcome.error = f"the checks could not run (pytest exit code {int(code)}); see grader.log"
        outcome.log = log.getvalue()
    if plugin.process_output().strip():
        outcome.log += "\n--- written by the student's process outside print() ---\n" + plugin.process_output()
    if plugin.load_error:
        outcome.unreadable = str(plugin.load_error)
        outcome.notes.insert(0, submission.unreadable_note(plugin.load_error.translated()))
    # ru_maxrss is in KiB on Linux; "children" are the sandbox processes this grader waited for.
    outcome.resources = {
        "grader_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "sandbox_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}
    return outcome


def grade_one(assignment, path, out_dir, student=None):
    """Grade one submission and write its results folder; the batch runs this in a worker."""
    outcome = run_checks(assignment, path, hidden=True)
    outcome.student = student or outcome.student
    if outcome.log:
        report.atomic_write(Path(out_dir) / "grader.log", outcome.log)
    report.write_submission(outcome, Path(out_dir))
    return outcome
