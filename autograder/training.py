"""The grader's training run, driven step by step from the trusted side.

The child only computes. For every step the trusted side picks the batch and sends it;
the assignment's harness, in the child, runs the student's step function once on it and
returns what that function returned. The trusted side checks the shapes, asks ``verify``
(the hidden checks' verdict: is this the correct update for this batch?), keeps the
weights, and measures the child's CPU time itself. So nothing the child says about the
run is believed: not a loss, not a step count, not a clock. A run is complete when the
trusted side has accepted every step.

The same driver runs ``check --train`` and the notebook's training cell, without
``verify`` (there is no reference on a student's machine).
"""
import fcntl
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .checks import fail
from .files import atomic_write
from .i18n import _
from .sandbox.runner import StudentCrash, StudentError, StudentTimeout

WARM_UP = 10  # steps whose CPU time is not judged: a first call may import or build caches
MEASURED = 50  # steps measured before a run may be stopped on a projection


@dataclass
class Stop:
    """Why a run ended early: ``kind`` (a key of ``describe``), the step, and plain-data details."""
    kind: str
    step: int
    detail: dict = field(default_factory=dict)


@dataclass
class Run:
    steps: int
    params: list  # the last weights the trusted side accepted
    steps_done: int = 0
    stop: Stop | None = None
    snapshots: list = field(default_factory=list)  # (steps done, weights) every snapshot_every steps
    cpu_seconds: float = 0.0  # the student's process, after the warm-up steps
    idle_seconds: float = 0.0  # real time the steps took beyond their CPU time and their wait for a CPU
    call_seconds: float = 0.0  # real time spent in the student's steps (from sending a batch to the reply)
    verify_seconds: float = 0.0  # the trusted side's, checking the updates

    @property
    def completed(self):
        return self.stop is None and self.steps_done == self.steps

    @property
    def ms_per_step(self):
        measured = self.steps_done - WARM_UP
        return 1000 * self.cpu_seconds / measured if measured > 0 else None


def train(student, params, batches, *, steps, cpu_seconds, names, verify=None, snapshot_every=0,
          step_seconds=10.0, harness_step="step", **step_kwargs):
    """Run ``steps`` steps; return the ``Run``.

    ``batches`` yields what each step is sent (tuples of arrays); ``names`` names the
    weights in feedback. ``verify(batch, old, new)`` returns None for a correct update,
    else ``{"parameter": name, "error": relative error, "update": what it should have been,
    in the student's language}``. The student's code may use
    ``cpu_seconds`` of CPU time for the whole run (the warm-up steps excepted), and may
    sit idle (sleep, wait) a third of that. Time spent waiting for a CPU, which only a
    busy machine causes, counts for neither: the same code gets the same verdict on an
    idle and on a loaded machine.
    """
    run = Run(steps, [np.asarray(p) for p in params])
    run.snapshots.append((0, run.params))
    mark = None  # the child's CPU and waiting times, and the steps' real time, after the warm-up
    for step, batch in zip(range(steps), batches):
        run.stop = _step(run, student, step, batch, names, verify, harness_step, step_seconds, step_kwargs)
        if run.stop:
            break
        run.steps_done = step + 1
        if snapshot_every and run.steps_done % snapshot_every == 0:
            run.snapshots.append((run.steps_done, run.params))
        if run.steps_done == WARM_UP:
            mark = _clocks(student, run)
        elif mark is not None and (run.steps_done % 10 == 0 or run.steps_done == steps):
            cpu, waited, real, own_wait = (now - then for now, then in zip(_clocks(student, run), mark))
            run.cpu_seconds, run.idle_seconds = cpu, max(real - cpu - waited - own_wait, 0.0)
            run.stop = _too_slow(run, cpu_seconds)
            if run.stop:
                break
    return run


def _clocks(student, run):
    """The child's CPU and waiting times, the steps' real time, and this thread's own wait for a
    CPU (a busy machine delays the grader's reading of a reply too: not the student's time)."""
    with open("/proc/thread-self/schedstat") as f:
        own_wait = int(f.read().split()[1]) / 1e9
    return (*student.times(), run.call_seconds, own_wait)


def _step(run, student, step, batch, names, verify, harness_step, step_seconds, step_kwargs):
    """One step: send the batch, check what came back, keep it. A ``Stop`` if the step failed."""
    start = time.perf_counter()
    try:
        out = student.harness(harness_step, *batch, **step_kwargs, params=run.params if step == 0 else None,
                              timeout=step_seconds)
    except StudentTimeout as err:
        return Stop("hung", step, {"message": str(err)})
    except StudentCrash as err:
        return Stop("crashed", step, {"message": str(err)})
    except StudentError as err:  # the student's code raised: its record names the type and the function
        return Stop("error", step, err.record or {"type": type(err).__name__, "message": str(err)})
    finally:
        run.call_seconds += time.perf_counter() - start
    new = _weights(out, run.params)
    if new is None:
        return Stop("bad_return", step, {"received": _shape_of(out)})
    for name, value in zip(names, new):
        if not np.isfinite(value).all():
            return Stop("nonfinite", step, {"parameter": name})
    if verify is not None:
        start = time.process_time()
        wrong = verify(batch, run.params, new)
        run.verify_seconds += time.process_time() - start
        if wrong:
            return Stop("wrong_update", step, wrong)
    run.params = new
    return None


def _weights(out, params):
    """The new weights in ``out`` (a tuple of the weights and a loss), or None if it is not one."""
    if not isinstance(out, tuple) or len(out) != len(params) + 1:
        return None
    new = list(out[:len(params)])
    if all(isinstance(n, np.ndarray) and n.dtype.kind in "fiu" and n.shape == p.shape for n, p in zip(new, params)):
        return new
    return None


def _shape_of(out):
    """What came back, in a few words: a type, or a tuple's items and their shapes."""
    if not isinstance(out, (tuple, list)):
        return type(out).__name__
    items = [f"{type(v).__name__}{list(v.shape) if isinstance(v, np.ndarray) else ''}" for v in out[:8]]
    return f"{type(out).__name__} of {len(out)} items: " + ", ".join(items)


def _too_slow(run, cpu_seconds):
    measured = run.steps_done - WARM_UP
    projected = run.cpu_seconds / measured * (run.steps - WARM_UP)
    # A clear case is stopped early, on a projection; a close one only when it has spent the budget.
    if run.cpu_seconds > cpu_seconds or (measured >= MEASURED and projected > 1.5 * cpu_seconds):
        return Stop("too_slow", run.steps_done, {"ms": run.ms_per_step, "limit_ms": 1000 * cpu_seconds / run.steps,
                                                 "seconds": cpu_seconds})
    if run.idle_seconds > cpu_seconds / 3:
        return Stop("idle", run.steps_done, {"seconds": run.idle_seconds})
    return None


class InProcess:
    """Trusted code (the reference) as the harness's student, in this process: for the reference's
    own curve and the calibration, where there is nothing to confine."""

    def __init__(self, module, harness_path):
        from .assignment import load_module
        self._module, self._harness, self._cpu = module, load_module(harness_path, "harness_in_process"), 0.0

    def harness(self, name, *args, timeout=None, **kwargs):
        start = time.process_time()
        try:
            return getattr(self._harness, name)(self._module, *args, **kwargs)
        finally:
            self._cpu += time.process_time() - start

    def times(self):
        return self._cpu, 0.0


def _one_line(text, limit=200):
    """Student-controlled text as one printable line of at most ``limit`` characters."""
    text = " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def describe(stop, steps, function):
    """Why the run stopped, for the student; ``function`` is the student's step function."""
    d = stop.detail
    if stop.kind == "error" and d.get("type") == "missing":
        return _("at step {step}: {name} is not defined in your submission").format(
            step=stop.step, name=_one_line(d.get("message"), 60))
    if stop.kind == "error" and d.get("type") == "NameError":
        return _("{type} in {where} at step {step}: {message} (a function your {function} calls is "
                 "not defined in your submission: see the notes about loading it)").format(
            type="NameError", where=d.get("function") or function, step=stop.step, message=_one_line(d.get("message")),
            function=function)
    texts = {
        "error": lambda: _("{type} in {where} at step {step}: {message}").format(
            type=_one_line(d.get("type"), 60), where=_one_line(d.get("function") or function, 60), step=stop.step,
            message=_one_line(_(d["message"]) if d.get("message") else "")),  # a harness's message is translated
        "wrong_update": lambda: _("at step {step}, {function}'s update of {parameter} is not the {update} on the "
                                  "grader's batch (relative error {error:.2g}); the run was stopped there").format(
            step=stop.step, function=function, parameter=d["parameter"], update=d["update"], error=d["error"]),
        "nonfinite": lambda: _("at step {step}, {function} returned nan or inf in {parameter}").format(
            step=stop.step, function=function, parameter=d["parameter"]),
        "bad_return": lambda: _("at step {step}, {function} returned {received}; expected a tuple of the weights "
                                "it was given, with their shapes, and the loss").format(
            step=stop.step, function=function, received=_one_line(d["received"], 120)),
        "too_slow": lambda: _("{function} is too slow: {ms:.1f} ms of CPU time per step, measured by the grader "
                              "after {done:,} steps; the limit is {limit:.1f} ms per step ({seconds:g} s for "
                              "{steps:,} steps)").format(function=function, ms=d["ms"], done=stop.step,
                                                         limit=d["limit_ms"], seconds=d["seconds"], steps=steps),
        "idle": lambda: _("{function} sat idle for {seconds:.0f} s by step {step} (sleeping or waiting, beyond its "
                          "CPU time and any wait for a busy machine's CPU); the run was stopped there").format(
            function=function, seconds=d["seconds"], step=stop.step),
        "hung": lambda: _("at step {step}: {message}").format(step=stop.step, message=d["message"]),
        "crashed": lambda: _("at step {step}: {message}").format(step=stop.step, message=d["message"]),
    }
    return texts[stop.kind]()


# -- what the hidden checks make of a grader's run (any assignment's) ------------------------
def record(run, schedule):
    """What feedback shows about ``run`` (``artifacts["training"]``): never the hidden checks' inputs.
    ``test_accuracy`` is the caller's to fill in."""
    return {"steps": schedule["steps"], "steps_done": run.steps_done, "completed": run.completed,
            "stopped": describe(run.stop, schedule["steps"], schedule["function"]) if run.stop else "",
            "ms_per_step": None if run.ms_per_step is None else round(run.ms_per_step, 2),
            "verify_ms_per_step": round(1000 * run.verify_seconds / max(run.steps_done, 1), 3),
            "test_accuracy": None}


def samples(train, test, trainer, rngs, count):
    """(a sample of ``count`` training images, one of test images, the whole test split), each
    (inputs, labels) as the network sees them (``trainer.inputs``); ``train`` and ``test`` are
    (images, labels), ``rngs`` two generators that pick the samples."""
    picks = [np.sort(r.choice(len(labels), count, replace=False)) for r, (_images, labels) in zip(rngs, (train, test))]
    whole = (trainer.inputs(test[0]), np.asarray(test[1]))
    return ((trainer.inputs(train[0][picks[0]]), np.asarray(train[1][picks[0]])),
            (whole[0][picks[1]], whole[1][picks[1]]), whole)


def curve(snapshots, trainer, train, test):
    """Training loss on the sample ``train`` and accuracy on ``test`` at every snapshot, scored by
    the assignment's trainer from the kept weights."""
    steps = [int(done) for done, _weights in snapshots]
    as_float64 = [[np.asarray(w, np.float64) for w in weights] for _done, weights in snapshots]
    return {"loss": (steps, [trainer.loss(*weights, *train) for weights in as_float64]),
            "accuracy": (steps, [trainer.accuracy(*weights, *test) for weights in as_float64])}


def cached(folder, name, key, compute):
    """``compute()`` (plain data), kept on disk in ``folder`` under ``name`` and a digest of the
    texts ``key`` (whatever the result depends on): parallel graders compute it once, the first
    one, and the others read it."""
    digest = hashlib.sha256("\n".join(key).encode()).hexdigest()[:16]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{digest}.json"
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.is_file():
            atomic_write(path, json.dumps(compute()))
        return json.loads(path.read_text())


def plots(curves, sample):
    """``artifacts["plots"]`` (see plugin.py) for curves by series name ("yours", "reference"),
    each measured on ``sample`` images; accuracy is drawn in %, as everywhere else."""
    percent = {"loss": 1, "accuracy": 100}
    return [{"title": title, "xlabel": _("training step"), "ylabel": ylabel,
             "series": {name: {"x": c[key][0], "y": [percent[key] * v for v in c[key][1]]}
                        for name, c in curves.items()}}
            for key, title, ylabel in (
                ("loss", _("Training loss ({count:,} training images)").format(count=sample), _("cross-entropy")),
                ("accuracy", _("Test accuracy ({count:,} test images)").format(count=sample),
                 _("test accuracy (%)")))]


def expect_tier(trained, tier):
    """A check's verdict on one accuracy tier for the run ``record``ed in ``trained``."""
    accuracy = trained["test_accuracy"]
    if not trained["completed"]:  # a run cut short must not earn points by luck of where it stopped
        fail(_("training stopped after {done} of {steps} steps ({reason}); only a completed training run earns "
               "these points (the weights reached score {accuracy:.2%} test accuracy)").format(
            done=trained["steps_done"], steps=trained["steps"], reason=trained["stopped"], accuracy=accuracy))
    if not accuracy >= tier:
        fail(_("test accuracy {accuracy:.2%} after the grader's training run; at least {tier:.0%} earns these points")
             .format(accuracy=accuracy, tier=tier))
