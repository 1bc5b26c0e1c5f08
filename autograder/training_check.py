"""``check --train``: the grader's training run on the student's own machine.

The student's ``train_step`` is driven by the assignment's harness with the public
schedule of assignment.toml, exactly as the grader calls it, but on the training
images minus a held-out validation part; the returned weights are scored on that
part in this (trusted) process by the assignment's evaluator. The test set is never
used: the validation accuracy is an estimate of the grader's test accuracy.
"""
import importlib.util
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from . import data, definitions, submission
from .i18n import _
from .sandbox.runner import Limits, Sandbox, StudentError

SPARKS = "▁▂▃▄▅▆▇█"


@dataclass
class TrainingReport:
    tiers: list
    margin: float
    log_every: int
    validation_images: int
    accuracy: float | None = None  # on the validation images; None if training did not finish
    losses: list = field(default_factory=list)
    curve: tuple = ((), ())  # (steps, validation accuracy) at the schedule's snapshots
    stopped: str = ""  # why the training run stopped early (the harness names the step)
    seconds: float = 0.0

    def verdict(self, tier):
        """likely / borderline / unlikely for one tier; borderline is within the measured margin."""
        if self.accuracy is None or self.accuracy < tier - self.margin:
            return "unlikely"
        return "likely" if self.accuracy >= tier + self.margin else "borderline"

    @property
    def all_likely(self):
        return all(self.verdict(t) == "likely" for t in self.tiers)

    def lines(self):
        """The report as plain text lines, for the terminal, the notebook and feedback.html."""
        out = [_("Training check: your train_step on the grader's schedule, scored on {n:,} held-out "
                 "training images (not the test set); {seconds:.1f} s").format(
                     n=self.validation_images, seconds=self.seconds)]
        if self.losses:
            out.append(_("loss every {every} steps: {first:.3f} {spark} {last:.3f}").format(
                every=self.log_every, first=self.losses[0], spark=sparkline(self.losses), last=self.losses[-1]))
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
        return out

    def plots(self):
        """Figures in the shape pages/feedback.py draws (see plugin.py's ``artifacts``)."""
        plots = [{"title": _("Training loss (mini-batch)"), "xlabel": _("training step"), "ylabel": _("cross-entropy"),
                  "series": {"yours": {"x": [i * self.log_every for i in range(len(self.losses))],
                                       "y": self.losses}}}]
        if self.curve[0]:
            plots.append({"title": _("Validation accuracy"), "xlabel": _("training step"), "ylabel": _("accuracy"),
                          "series": {"yours": {"x": list(self.curve[0]), "y": list(self.curve[1])}}})
        return plots


def sparkline(values, width=40):
    """``values`` as one line of block characters, lowest to highest."""
    values = [float(v) for v in values]
    if len(values) > width:  # keep every k-th so the line fits
        values = values[::-(-len(values) // width)]
    low, high = min(values), max(values)
    scale = (len(SPARKS) - 1) / (high - low) if high > low else 0.0
    return "".join(SPARKS[round((v - low) * scale)] for v in values)


def initial_params(schedule):
    """The grader's initial weights: seeded by the schedule, so every run starts alike."""
    r = np.random.default_rng(schedule["seed"])
    sizes = schedule["layers"]
    return [schedule["weight_init_std"] * r.standard_normal((sizes[0], sizes[1])), np.zeros(sizes[1]),
            schedule["weight_init_std"] * r.standard_normal((sizes[1], sizes[2])), np.zeros(sizes[2])]


def split(spec, held_out, seed):
    """(folder with the training part as .npy files, validation images, validation labels).

    The folder is what the sandbox may read; it is written once per data set and split.
    """
    arrays = data.load(spec, ["x_train", "y_train"])
    images, labels = arrays["x_train"], arrays["y_train"]
    order = np.random.default_rng(seed).permutation(len(labels))
    validation, training = np.sort(order[:held_out]), np.sort(order[held_out:])
    folder = data.SOURCE_DATA / "cache" / f"{spec['file'].replace('.', '_')}-without-{held_out}-seed{seed}"
    if not (folder / "READY").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        for name, array in (("x_train", images[training]), ("y_train", labels[training])):
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".npy")
            with os.fdopen(fd, "wb") as f:
                np.save(f, array, allow_pickle=False)
            os.chmod(tmp, 0o644)
            os.replace(tmp, folder / f"{name}.npy")
        os.chmod(folder, 0o755)
        (folder / "READY").write_text("")
    return folder, images[validation], labels[validation]


def load_evaluator(assignment):
    """The assignment's trusted scorer (``accuracy(W1, b1, W2, b2, X, y)``), never student code."""
    path = assignment.release_dir / assignment.config["self_check"]["evaluate"]
    spec = importlib.util.spec_from_file_location(f"evaluate_{assignment.id}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train(assignment, student, folder, x_val, y_val):
    """Run the schedule through ``student`` (the sandbox's proxy or a notebook kernel's)."""
    s = assignment.config["schedule"]
    own = assignment.config["self_check"]
    report = TrainingReport(tiers=list(s["accuracy_tiers"]), margin=own["margin"], log_every=s["log_every"],
                            validation_images=len(y_val))
    evaluate = load_evaluator(assignment)
    x_val = x_val.reshape(len(x_val), -1) / 255.0
    start = time.monotonic()
    params = initial_params(s)
    try:
        out = student.harness("train", str(folder), *params, steps=s["steps"], batch_size=s["batch_size"],
                              learning_rate=s["learning_rate"], seed=s["seed"], log_every=s["log_every"],
                              seconds=s["seconds"], snapshot_every=s["snapshot_every"], timeout=s["seconds"] + 10,
                              report=True)
        *out, outcome = out
        report.losses = [float(v) for v in out[4]]
        if outcome.get("stopped"):  # the harness names the error, the function and the step
            report.stopped = str(outcome["stopped"])
            report.seconds = time.monotonic() - start
            return report
        weights = [np.asarray(p, dtype=np.float64).reshape(q.shape) for p, q in zip(out[:4], params)]
        report.accuracy = evaluate.accuracy(*weights, x_val, y_val)
        steps, accuracies = [0], [evaluate.accuracy(*params, x_val, y_val)]
        for snap in out[5] if len(out) > 5 else ():
            steps.append(int(snap[0]))
            accuracies.append(evaluate.accuracy(*(np.asarray(w, dtype=np.float64) for w in snap[1:]), x_val, y_val))
        report.curve = (steps, accuracies)
    except StudentError as err:
        report.stopped = str(err)
    except (TypeError, ValueError, IndexError) as err:  # the run returned something unusable
        report.stopped = _("train_step's results could not be used: {error}").format(error=err)
    report.seconds = time.monotonic() - start
    return report


def run(assignment, path):
    """``check --train``: the training run of the submission at ``path``, in the sandbox."""
    own = assignment.config["self_check"]
    folder, x_val, y_val = split(assignment.config["dataset"], own["validation_images"], own["validation_seed"])
    loaded = submission.load(path, assignment.module)
    statements, _skipped = definitions.select(loaded.chunks)
    limits = Limits.from_config(assignment.config.get("limits", {}))
    from .plugin import StudentProxy  # the grader's own proxy: the same calls, the same messages
    sandbox = Sandbox(statements, assignment.module, limits=limits, harness=assignment.harness, keep=[folder])
    try:
        return train(assignment, StudentProxy(sandbox, assignment.graded), folder, x_val, y_val)
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
    own = assignment.config["self_check"]
    try:
        folder, x_val, y_val = split(assignment.config["dataset"], own["validation_images"], own["validation_seed"])
    except data.DataError as err:  # no data set at hand (offline): say how to get it, like the CLI
        print(err)
        return None
    student = nbgrader_checks.KernelStudent(namespace, assignment.graded, harness=assignment.harness)
    # One BLAS thread, as in the sandbox: the harness's time budget counts the CPU time of every thread.
    with threadpool_limits(1, user_api="blas"):
        report = train(assignment, student, folder, x_val, y_val)
    print("\n".join(report.lines()))
    return report
