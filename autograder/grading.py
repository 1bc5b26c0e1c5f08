"""Grade one submission: run the assignment's checks under the plugin, write the results."""
import contextlib
import io
import json
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from . import checks as checks_module
from . import definitions, files, i18n, report, submission
from . import plugin as fixtures
from .i18n import _
from .pages import feedback
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
    grade_range: tuple = ()  # check only: (least, most) public points `grade` would give
    confinement: str = ""  # the sandbox's level (sandbox/jail.py) when student code ran
    assignment: str = ""  # the id of the assignment it was graded for

    @property
    def score(self):
        return sum(c.points for c in self.checks)

    @property
    def max_score(self):
        return sum(c.max_points for c in self.checks)


def student_id(path):
    path = Path(path)
    return path.stem if path.is_file() else path.name


def run_checks(assignment, path, *, hidden, language=None):
    """Run every check on ``path`` in this process; student code runs only in the sandbox.

    ``language``: of the student's feedback (``--lang``; default the assignment's)."""
    start = time.monotonic()
    i18n.choose(assignment, language)  # before the checks are imported: their titles are translated then
    plugin = GradingPlugin(assignment, path, hidden=hidden)
    folders = [assignment.public_tests] + ([assignment.hidden_tests] if hidden else [])
    args = [*map(str, folders), "-c", str(CHECKS_INI), "--rootdir", str(assignment.root), "-q"]
    log = io.StringIO()
    with contextlib.redirect_stdout(log):  # pytest's own report is for debugging the kit only
        code = pytest.main(args, plugins=[plugin, fixtures])
    if code == pytest.ExitCode.INTERRUPTED:  # Ctrl-C: a half-graded submission must not be written
        raise KeyboardInterrupt("grading was interrupted")
    outcome = Outcome(student_id(path), list(plugin.results.values()), capped(plugin.notes),
                      plugin.student_output(), time.monotonic() - start, artifacts=plugin.artifacts,
                      confinement=jail.level(), assignment=assignment.id)
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        outcome.error = f"the checks could not run (pytest exit code {int(code)}); see grader.log"
        outcome.log = log.getvalue()
    if plugin.process_output().strip():
        outcome.log += "\n--- written by the student's process outside print() ---\n" + plugin.process_output()
    if not hidden and not plugin.load_error:
        outcome.grade_range = blame_helpers(outcome.checks, [st.source for st in plugin.statements])
    if plugin.load_error:
        outcome.unreadable = str(plugin.load_error)
        outcome.notes.insert(0, submission.unreadable_note(plugin.load_error.translated()))
    # ru_maxrss is in KiB on Linux; "children" are the sandbox processes this grader waited for.
    grader, sandboxes = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    outcome.resources = {
        "grader_peak_rss_mb": round(grader.ru_maxrss / 1024, 1),
        "sandbox_peak_rss_mb": round(sandboxes.ru_maxrss / 1024, 1),
        "grader_cpu_seconds": round(grader.ru_utime + grader.ru_stime, 2),
        "sandbox_cpu_seconds": round(sandboxes.ru_utime + sandboxes.ru_stime, 2)}
    return outcome


def write_submission(outcome, folder, kind=None):
    """results.json is written last: when it exists, the whole folder is complete (see --resume)."""
    folder = Path(folder)
    results = report.results_json(outcome, kind)
    files.atomic_write(folder / "feedback.md", feedback.markdown(outcome, kind=kind))
    files.atomic_write(folder / "feedback.html", feedback.render(results, printed=outcome.output))
    files.atomic_write(folder / "results.json", json.dumps(results, indent=2))


MAX_NOTES = 30  # about the submission as a whole: a file of 10,000 skipped statements gets 30 and a count


def capped(notes):
    notes = [n[:1000] for n in notes]
    return notes if len(notes) <= MAX_NOTES else notes[:MAX_NOTES] + [
        _("... and {count:,} more notes like these").format(count=len(notes) - MAX_NOTES)]


def grade_one(assignment, path, out_dir, student=None, language=None):
    """Grade one submission and write its results folder; the batch runs this in a worker."""
    outcome = run_checks(assignment, path, hidden=True, language=language)
    outcome.student = student or outcome.student
    if outcome.log:
        files.atomic_write(Path(out_dir) / "grader.log", outcome.log)
    write_submission(outcome, Path(out_dir))
    return outcome


def blame_helpers(checks, sources):
    """``check`` runs a function the grader isolates (train_step) on the student's own helpers,
    where ``grade`` answers them with the reference. So when such a check fails and a helper
    that function calls fails its own checks, the helper is the likely cause: say so, in place
    of a cause read from the function's own arithmetic. Returns (least, most) public points
    ``grade`` would give (the same twice when nothing is in doubt)."""
    failing = {c.function for c in checks if not c.passed}
    score = sum(c.points for c in checks)
    doubt = 0.0
    for c in checks:
        if c.passed or not c.isolated:
            continue
        helpers = sorted(h for f in c.isolated for h in definitions.called_by(sources, f) & failing if h != f)
        if not helpers:
            continue
        doubt += c.max_points
        own = "\n".join(line for line in c.message.splitlines() if not line.startswith(checks_module.cause_label()))
        c.message = own + f"\n{checks_module.cause_label()} " + _(
            "{helpers} (which {function} calls) fails its own checks: fix it first. The grader checks "
            "{function} with correct versions of the other functions, so this check may pass there.").format(
            helpers=", ".join(helpers), function=", ".join(c.isolated))
    return (score, score + doubt)
