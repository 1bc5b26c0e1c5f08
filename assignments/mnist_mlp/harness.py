"""Runs inside the sandbox, next to the student's module: the grader's training loop.

Public on purpose: it is the schedule in assignment.toml, nothing more. The
test images never come here; the grader scores the returned weights itself.
"""
import math
import time
import traceback

import numpy as np


def train(student, data_folder, W1, b1, W2, b2, steps, batch_size, learning_rate, seed, log_every,
          seconds, snapshot_every=0, report=False):
    """Run the schedule; give up early, with a reason, if it would need more than ``seconds``.

    The projection uses this process's CPU time, not the wall clock, so a busy grading
    machine cannot cost a student points (the grader still has a wall-clock limit).

    Returns ``(W1, b1, W2, b2, losses)``, the loss logged every ``log_every`` steps. With
    ``snapshot_every``, a sixth item lists ``(steps done, W1, b1, W2, b2)`` every that many
    steps (float32 copies) so the grader can draw its curves. With ``report``, an error
    stops training instead of raising: the weights reached come back, and a last item
    ``{"steps_done": int, "stopped": str}`` says where and why ("" once every step ran).
    """
    start = time.process_time()
    images = np.load(f"{data_folder}/x_train.npy", mmap_mode="r")
    labels = np.load(f"{data_folder}/y_train.npy")
    images = images.reshape(len(images), -1)
    rng = np.random.default_rng(seed)
    shapes = [W1.shape, b1.shape, W2.shape, b2.shape]
    params, losses, snapshots = (W1, b1, W2, b2), [], []
    done = 0
    try:
        for step in range(steps):
            batch = rng.integers(0, len(images), batch_size)
            X = images[batch].astype(np.float64) / 255.0  # one batch at a time keeps memory small
            out = student.train_step(X, labels[batch].astype(np.int64), *params, learning_rate)
            if not isinstance(out, tuple) or len(out) != 5:
                raise TypeError(f"train_step returned {type(out).__name__}; expected a tuple (W1, b1, W2, b2, loss)")
            *new, loss = out
            got = [np.shape(p) for p in new]
            if got != shapes:
                raise ValueError(f"the parameter shapes are {got}, expected {shapes}")
            params, done = tuple(new), step + 1
            if done >= 10:  # from the 10th step on, so a first slow call (imports, caches) is not judged alone
                projected = (time.process_time() - start) / done * steps
                if projected > seconds:
                    raise TimeoutError(f"train_step takes {1000 * projected / steps:.1f} ms per step, so the "
                                       f"{steps} training steps would need {projected:.0f} s; the limit is {seconds} s")
            if step % log_every == 0:
                loss = float(loss)
                if not math.isfinite(loss):
                    raise FloatingPointError(f"the loss became {loss}")
                losses.append(loss)
            if snapshot_every and done % snapshot_every == 0:
                try:  # a curve is a bonus: parameters that do not convert only leave a gap in it
                    snapshots.append((done, *(np.array(p, dtype=np.float32) for p in params)))
                except Exception:
                    pass
    except Exception as err:
        if not report:
            raise
        stopped = _where(err, step)  # the step that failed; `done` counts the ones that finished
    else:
        stopped = ""
    result = (*params, losses) + ((snapshots,) if snapshot_every else ())
    return result + ({"steps_done": done, "stopped": stopped},) if report else result


def _where(err, step):
    """One line: the error, the student function it came from, and the step it stopped at."""
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename != __file__
              and "site-packages" not in f.filename and "/lib/python" not in f.filename]
    where = f" in {frames[-1].name}" if frames else ""
    text = " ".join(str(err).split())
    return f"{type(err).__name__}{where} at step {step}: {text}"[:300]
