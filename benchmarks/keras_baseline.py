"""The lesson's two halves side by side: its Keras model (keras_mlp's reference) beside the NumPy
network (mnist_mlp's reference): test accuracy, time to 97%, memory. A benchmark, not part of grading.

    .venv/bin/python benchmarks/keras_baseline.py [--epochs 10] [--numpy-steps-cap 20000] [--json PATH]

Keras: keras_mlp's reference (preprocess, build_model, compile_model: Dense(50, sigmoid) ->
Dense(10, softmax), Adam, sparse categorical cross-entropy), fit with batch 32 and a fixed seed,
scored on the test set after every epoch. NumPy: mnist_mlp's reference trained with its grader's
schedule (assignment.toml [schedule]), initial weights and batches (its trainer.py), on one BLAS
thread as in the sandbox, scored every 500 steps, run past the schedule until 97% or the cap
(TensorFlow keeps its default thread pools). Training clocks leave the scoring out. Memory is the
process's peak RSS (getrusage ru_maxrss) at the end of each run; the NumPy run comes first, before
TensorFlow is imported.
"""
import argparse
import json
import os
import platform
import resource
import sys
import time
from contextlib import nullcontext
from importlib.util import find_spec
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from autograder import assignment as assignments  # noqa: E402
from autograder import data  # noqa: E402

TARGET = 0.97
EVAL_EVERY = 500  # NumPy steps between two scorings on the test set


def time_to_target(history, target=TARGET):
    """The training time of the first entry of ``history`` whose accuracy reaches ``target``, else None."""
    return next((h["seconds"] for h in history if h["accuracy"] >= target), None)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _test_split(arrays, dtype):
    x = arrays["x_test"].reshape(len(arrays["x_test"]), -1).astype(dtype) / 255
    return x, arrays["y_test"]


def one_blas_thread():
    """As the sandbox runs student code (OPENBLAS_NUM_THREADS=1): numpy is already loaded, so threadpoolctl."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return nullcontext()
    return threadpool_limits(1, user_api="blas")


def train_numpy(assignment, arrays, cap):
    s = assignment.config["schedule"]
    reference, trainer = assignment.load_reference(), assignment.load_trainer()
    size, rate = s["batch_size"], s["learning_rate"]
    W1, b1, W2, b2 = trainer.initial_params(s)  # the grader's initial weights and batches
    batches = trainer.batches(arrays["x_train"], arrays["y_train"], dict(s, steps=cap))
    images = arrays["x_train"]
    x_test, y_test = _test_split(arrays, np.float64)
    step, clock, history = 0, 0.0, []
    while step < cap:
        start = time.perf_counter()
        for _, (batch_images, batch_labels) in zip(range(min(EVAL_EVERY, cap - step)), batches):
            X = trainer.inputs(batch_images)
            W1, b1, W2, b2, _ = reference.train_step(X, batch_labels, W1, b1, W2, b2, rate)
            step += 1
        clock += time.perf_counter() - start
        history.append({"step": step, "seconds": clock,
                        "accuracy": reference.accuracy(W1, b1, W2, b2, x_test, y_test)})
        if step >= s["steps"] and history[-1]["accuracy"] >= TARGET:
            break
    reached = next((e for e in history if e["accuracy"] >= TARGET), None)
    return {"model": f"NumPy reference (SGD lr {rate:g}, batch {size})", "history": history,
            "final_accuracy": history[-1]["accuracy"], "train_seconds": clock,
            "seconds_to_target": time_to_target(history), "steps_to_target": reached and reached["step"],
            "seconds_per_epoch": clock / step * len(images) / size, "peak_rss_mb": peak_rss_mb()}


def _import_keras():
    """TensorFlow and Keras, quiet and as deterministic as TF allows on CPU."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # its banner ignores the level; its kernels vary round-off
    os.environ["KERAS_BACKEND"] = "tensorflow"
    import absl.logging
    absl.logging.set_verbosity(absl.logging.ERROR)
    import tensorflow as tf
    import keras
    tf.get_logger().setLevel("ERROR")
    tf.config.experimental.enable_op_determinism()
    return keras


def train_keras(lesson, arrays, epochs, seed):
    """``lesson``: keras_mlp's assignment, whose reference builds, compiles and feeds the model."""
    keras = _import_keras()
    keras.utils.set_random_seed(seed)
    reference = lesson.load_reference()
    x_train, x_test, y_test = reference.preprocess(arrays["x_train"]), reference.preprocess(arrays["x_test"]), \
        arrays["y_test"]

    class ScoreEachEpoch(keras.callbacks.Callback):
        """Test accuracy after every epoch; the time spent scoring is taken off the training clock."""
        def on_train_begin(self, logs=None):
            self.start, self.scoring, self.history = time.perf_counter(), 0.0, []

        def on_epoch_end(self, epoch, logs=None):
            now = time.perf_counter()
            probs = self.model.predict(x_test, batch_size=1000, verbose=0)
            self.history.append({"epoch": epoch + 1, "seconds": now - self.start - self.scoring,
                                 "accuracy": float(np.mean(np.argmax(probs, axis=1) == y_test))})
            self.scoring += time.perf_counter() - now

    model = reference.build_model()
    model = reference.compile_model(model) or model
    score = ScoreEachEpoch()
    model.fit(x_train, arrays["y_train"], batch_size=32, epochs=epochs, verbose=0, callbacks=[score])
    history = score.history
    return {"model": "Keras (Adam, batch 32)", "history": history, "final_accuracy": history[-1]["accuracy"],
            "train_seconds": history[-1]["seconds"], "seconds_to_target": time_to_target(history),
            "epochs_to_target": next((e["epoch"] for e in history if e["accuracy"] >= TARGET), None),
            "seconds_per_epoch": history[-1]["seconds"] / len(history), "peak_rss_mb": peak_rss_mb()}


def _row(r):
    t = r["seconds_to_target"]
    reached = f"{t:.1f} s" if t is not None else f"not reached in {r['train_seconds']:.1f} s"
    return (f"| {r['model']} | {r['final_accuracy']:.2%} | {reached} | {r['seconds_per_epoch']:.2f} s "
            f"| {r['peak_rss_mb']:.0f} MB |")


def report(numpy_run, keras_run):
    t_np, t_k = numpy_run["seconds_to_target"], keras_run["seconds_to_target"]
    lines = [f"| model | final test accuracy | time to {TARGET:.0%} | time per epoch | peak RSS |",
             "|---|---|---|---|---|", _row(keras_run), _row(numpy_run), "",
             "Keras test accuracy per epoch: " + ", ".join(f"{e['accuracy']:.2%}" for e in keras_run["history"]),
             f"NumPy reference: {numpy_run['history'][-1]['step']} steps, scored every {EVAL_EVERY}; {TARGET:.0%} "
             + (f"first at step {numpy_run['steps_to_target']}" if numpy_run["steps_to_target"] else "not reached")]
    if t_np and t_k:
        lines.append(f"time to {TARGET:.0%}: Keras / NumPy = {t_k / t_np:.2f}")
    lines.append("Training time excludes scoring; an epoch is 60,000 images; peak RSS is getrusage ru_maxrss "
                 "of this process after each run (NumPy first, before TensorFlow is imported).")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=10, help="Keras epochs (default 10)")
    parser.add_argument("--numpy-steps-cap", type=int, default=20000,
                        help="most NumPy steps when 97%% takes longer than the schedule (default 20000)")
    parser.add_argument("--json", help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    epochs, numpy_steps_cap, json_path = args.epochs, args.numpy_steps_cap, args.json
    if epochs < 1 or numpy_steps_cap < 1:
        print("--epochs and --numpy-steps-cap must be at least 1", file=sys.stderr)
        return 2
    if find_spec("tensorflow") is None:
        print("TensorFlow is not installed; install the Keras extra: pip install .[keras]  "
              "(from a clone: pip install -e '.[keras]')", file=sys.stderr)
        return 2
    assignment, lesson = assignments.resolve("mnist_mlp"), assignments.resolve("keras_mlp")
    arrays = data.load(assignment.config["dataset"])
    with one_blas_thread() as limits:
        numpy_run = train_numpy(assignment, arrays, numpy_steps_cap)
    numpy_run["blas_threads"] = 1 if limits else "default (threadpoolctl not installed)"
    keras_run = train_keras(lesson, arrays, epochs, assignment.config["schedule"]["seed"])
    print(report(numpy_run, keras_run))
    if json_path:
        t_np, t_k = numpy_run["seconds_to_target"], keras_run["seconds_to_target"]
        figures = {"machine": {"arch": platform.machine(), "cores": os.cpu_count(),
                               "python": platform.python_version()},
                   "target": TARGET, "memory": "peak RSS, getrusage ru_maxrss, MB", "keras": keras_run,
                   "numpy": numpy_run, "time_to_target_ratio_keras_over_numpy": t_k / t_np if t_np and t_k else None}
        Path(json_path).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
