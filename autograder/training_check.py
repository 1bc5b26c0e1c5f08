"""``check --train``: the grader's training run on the student's own machine.

The student's step function runs in the sandbox, driven by ``training.train`` exactly as
the grader drives it (the assignment's trainer picks the initial weights and every batch;
the CPU time is measured from outside), but on the training images minus a held-out
validation part, which the trainer scores here. The test set is never used: the
validation accuracy is an estimate of the grader's test accuracy.

One thing it cannot do: the grader also verifies that every step is the correct update,
with the instructor's reference, which students do not have. So the report says that the
public checks of the step function are what predict that part.
"""
import sys
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from . import data, definitions, submission, training
from .i18n import _
from .sandbox.runner import Limits, Sandbox

SPARKS = "▁▂▃▄▅▆▇█"
CURVE_SAMPLE = 2000  # training images the loss of each snapshot is measured on


@dataclass
class TrainingReport:
    tiers: list
    margin: float
    validation_images: int
    steps: list = field(default_factory=list)  # the steps of the snapshots below
    losses: list = field(default_factory=list)  # training loss (a sample) at each snapshot
    accuracies: list = field(default_factory=list)  # validation accuracy at each snapshot
    accuracy: float | None = None  # of the last weights; None if training did not complete
    stopped: str = ""  # why the training run stopped early
    seconds: float = 0.0  # CPU time of the student's code
    failing: list = field(default_factory=list)  # public checks that predict the grader's verification and fail
    function: str = ""  # what each step runs ([schedule] function)
    predicted_by: list = field(default_factory=list)  # the functions whose public checks predict the verification

    def verdict(self, tier):
        """likely / borderline / unlikely for one tier; borderline is within the measured margin."""
        if self.accuracy is None or self.failing or self.accuracy < tier - self.margin:
            return "unlikely"
        return "likely" if self.accuracy >= tier + self.margin else "borderline"

    @property
    def all_likely(self):
        """Every tier likely reached (a run that never finished reaches none)."""
        return self.accuracy is not None and all(self.verdict(t) == "likely" for t in self.tiers)

    def lines(self):
        """The report as plain text lines, for the terminal, the notebook and feedback.html."""
        out = [_("Training check: {function} on the grader's schedule, scored on {n:,} held-out "
                 "training images (not the test set); {seconds:.1f} s of CPU time").format(
                     function=self.function, n=self.validation_images, seconds=self.seconds)]
        if len(self.losses) > 1:
            out.append(_("loss every {every} steps: {first:.3f} {spark} {last:.3f}").format(
                every=self.steps[1] - self.steps[0], first=self.losses[0], spark=sparkline(self.losses),
                last=self.losses[-1]))
        if self.stopped:
            out.append(_("training stopped: {reason}").format(reason=self.stopped))
        if self.accuracy is not None:
            out.append(_("validation accuracy: {accuracy:.2%}").format(accuracy=self.accuracy))
        for tier in self.tiers:
            out.append("  " + {"likely": _("{tier:.0%} tier: likely reached"),
                               "borderline": _("{tier:.0%} tier: borderline (within {margin:.1%} of it): "
                                               "the grade could go either way"),
                               "unlikely": _("{tier:.0%} tier: unlikely to be reached")}[self.verdict(tier)].format(
                tier=tier, margin=self.margin))
        out.append(_("The grader also checks that every step is the correct update for its batch, with the "
                     "instructor's reference, which this check does not have: the public checks of {functions} "
                     "predict that part.").format(functions=", ".join(self.predicted_by)))
        if self.failing:
            out.append(_("They fail now ({checks}), so the grader's run would stop at its first step and earn "
                         "no accuracy points.").format(checks="; ".join(self.failing)))
        return out

    def plots(self):
        """Figures in the shape pages/feedback.py draws (see plugin.py's ``artifacts``)."""
        if len(self.steps) < 2:
            return []
        return [{"title": _("Training loss ({count:,} training images)").format(count=CURVE_SAMPLE),
                 "xlabel": _("training step"), "ylabel": _("cross-entropy"),
                 "series": {"yours": {"x": self.steps, "y": self.losses}}},
                {"title": _("Validation accuracy"), "xlabel": _("training step"), "ylabel": _("accuracy"),
                 "series": {"yours": {"x": self.steps, "y": self.accuracies}}}]


def sparkline(values, width=40):
    """``values`` as one line of block characters, lowest to highest."""
    values = [float(v) for v in values]
    if len(values) > width:  # keep every k-th so the line fits
        values = values[::-(-len(values) // width)]
    low, high = min(values), max(values)
    scale = (len(SPARKS) - 1) / (high - low) if high > low else 0.0
    return "".join(SPARKS[round((v - low) * scale)] for v in values)


def split(spec, held_out, seed):
    """(training images, training labels, validation images, validation labels): the held-out
    part is a seeded random choice of ``held_out`` of the images the training run draws from
    (the data set's ``train`` arrays: images, then labels)."""
    names = spec["train"]
    arrays = data.load(spec, names)
    images, labels = (arrays[name] for name in names)
    order = np.random.default_rng(seed).permutation(len(labels))
    validation, kept = np.sort(order[:held_out]), np.sort(order[held_out:])
    return images[kept], labels[kept], images[validation], labels[validation]


def train(assignment, student, parts, failing=()):
    """Run the schedule through ``student`` (a sandbox's proxy or a notebook kernel's)."""
    s = assignment.config["schedule"]
    trainer = assignment.load_trainer()
    x_train, y_train, x_val, y_val = parts
    report = TrainingReport(tiers=list(s["accuracy_tiers"]), margin=assignment.config["self_check"]["margin"],
                            validation_images=len(y_val), failing=list(failing), function=s["function"],
                            predicted_by=predicted_by(assignment))
    run = training.train(student, trainer.initial_params(s), trainer.batches(x_train, y_train, s), steps=s["steps"],
                         cpu_seconds=s["cpu_seconds"], names=s["parameters"], snapshot_every=s["snapshot_every"],
                         step_seconds=s["step_seconds"], **trainer.step_kwargs(s))
    report.seconds = run.cpu_seconds
    if run.stop:
        report.stopped = training.describe(run.stop, s["steps"], s["function"])
    sample = np.random.default_rng(0).choice(len(y_train), CURVE_SAMPLE, replace=False)
    x_sample, y_sample = trainer.inputs(x_train[np.sort(sample)]), y_train[np.sort(sample)]
    x_val = trainer.inputs(x_val)
    for done, weights in run.snapshots:
        weights = [np.asarray(w, dtype=np.float64) for w in weights]
        report.steps.append(done)
        report.losses.append(trainer.loss(*weights, x_sample, y_sample))
        report.accuracies.append(trainer.accuracy(*weights, x_val, y_val))
    if run.completed:
        report.accuracy = trainer.accuracy(*(np.asarray(w, dtype=np.float64) for w in run.params), x_val, y_val)
    return report


def predicted_by(assignment):
    """The functions whose public checks predict the grader's verification of every step."""
    s = assignment.config["schedule"]
    return list(s.get("predicted_by", [s["function"]]))


def _parts(assignment):
    own = assignment.config["self_check"]
    return split(assignment.config["dataset"], own["validation_images"], own["validation_seed"])


def run(assignment, path, failing=()):
    """``check --train``: the training run of the submission at ``path``, in the sandbox.

    ``failing``: the public checks of the step function that failed (they predict the
    grader's verification of every step, which this run cannot do)."""
    from .plugin import StudentProxy  # the grader's own proxy: the same calls, the same messages
    parts = _parts(assignment)
    loaded = submission.load(path, assignment.module)
    statements, _skipped = definitions.select(loaded.chunks)
    limits = Limits.from_config(assignment.config.get("limits", {}))
    sandbox = Sandbox(statements, assignment.module, limits=limits, harness=assignment.harness,
                      aliases=assignment.config.get("aliases"), env=assignment.sandbox_env)
    try:
        return train(assignment, StudentProxy(lambda name: sandbox, assignment.graded), parts, failing)
    finally:
        sandbox.close()


def notebook(assignment_id, language=None):
    """The release notebook's training cell: the same run on the calling notebook's functions.

    The notebook's code runs in its own kernel (as in its check cells); only the trusted
    scoring and the held-out split come from here. Prints the report and returns it.
    """
    from . import i18n
    from .nbgrader import checks as nbgrader_checks
    namespace = sys._getframe(1).f_globals  # the notebook's globals
    assignment = nbgrader_checks.find_assignment(assignment_id)
    i18n.choose(assignment, language)
    try:
        parts = _parts(assignment)
    except data.DataError as err:  # no data set at hand (offline): say how to get it, like the CLI
        print(err)
        return None
    student = nbgrader_checks.KernelStudent(namespace, assignment.graded, harness=assignment.harness,
                                            call_seconds=assignment.config["schedule"]["step_seconds"])
    # One BLAS thread, as in the sandbox: the CPU budget counts the time of every thread.
    with threadpool_limits(1, user_api="blas"):
        report = train(assignment, student, parts)
    print("\n".join(report.lines()))
    return report
