"""Where the seconds of one end-to-end grade go: start-up, checks, training, files, as cProfile sees it.

    python benchmarks/profile_grade.py [SUBMISSION]   (default: the reference)

Start-up is timed as a cold process pays it (``python -m autograder`` importing
everything grading needs); the grade itself runs under cProfile in this process, the way a
warm worker's grader runs it. The sandbox child's own time shows up as time waiting for it.
"""
import cProfile
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REFERENCE = ROOT / "solutions" / "mnist_mlp" / "mnist_mlp.py"
PRELOAD = ("from autograder import assignment, workers; "
           "workers.preload(assignment.resolve('mnist_mlp'))")


def startup_seconds():
    """A cold grader's start-up: the interpreter, the imports, the jail probe, the fonts."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", PRELOAD], cwd=ROOT, check=True)
    return time.perf_counter() - start


def _cumulative(stats, predicate):
    """Largest cumulative time among the functions ``predicate`` picks (nested calls counted once)."""
    return max((row[3] for key, row in stats.stats.items() if predicate(*key)), default=0.0)


def breakdown(path):
    from autograder import assignment
    from autograder.grading import grade_one
    from autograder.workers import preload
    task = assignment.resolve("mnist_mlp")
    preload(task)
    profile = cProfile.Profile()
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        profile.enable()
        grade_one(task, path, out, student="profile")
        profile.disable()
        total = time.perf_counter() - start
    stats = pstats.Stats(profile)
    parts = {
        "training (the accuracy check's train_step loop)": _cumulative(
            stats, lambda f, line, name: "harness" in f or name in ("trained", "training", "train_run")),
        "writing results, feedback.md and feedback.html (figures)": _cumulative(
            stats, lambda f, line, name: name == "write_submission"),
        "starting sandbox children": _cumulative(stats, lambda f, line, name: name == "_spawn"),
        "reference and test-split loading": _cumulative(
            stats, lambda f, line, name: name == "load_reference") + _cumulative(
            stats, lambda f, line, name: f.endswith("data.py") and name == "load"),
        "pytest collection": _cumulative(stats, lambda f, line, name: name == "pytest_collection"),
    }
    return total, parts, stats


def main():
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else REFERENCE
    cold = startup_seconds()
    total, parts, stats = breakdown(path)
    print(f"one grade of {path.name}: start-up {cold:.2f} s (paid once per warm worker), "
          f"grading {total:.2f} s")
    for name, seconds in parts.items():
        print(f"  {seconds:6.2f} s  {name}")
    print(f"  {total - sum(parts.values()):6.2f} s  the other checks, pytest and the engine (the rest)")
    if "--top" in sys.argv:
        stats.sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
