"""What Gradescope's run_autograder runs: grade one submission folder into results.json.

    python -m autograder.gradescope SUBMISSION_DIR RESULTS_JSON

The grader stays root; student code runs in the sandbox as a uid of its own (Gradescope's
Docker forbids namespaces, so that is the ``landlock`` level, see sandbox/restricted.py).
First the bundle's instructor-only files (hidden checks, reference, data, secret) and the
results folder are made root's alone, so that uid could not read or write them even if
Landlock let it; then the submission is graded alone (single.py): a worker that dies
mid-grade is a failed grade. Whatever happens, a valid results.json is written.
"""
import json
import os
import sys
from pathlib import Path

from . import assignment as assignments
from . import data, permutation, report, single
from .grading import Outcome

STUDENT = "submission"


SHARED = {"autograder", "assignments", ".venv", "source_data"}  # what the sandbox reads from the bundle


def lock_down(assignment, results_folder):
    """Owner-only modes (the grader is the owner) for everything student code never needs:
    every top-level entry of the bundle but SHARED (so the hidden checks and the reference),
    the data set files themselves (the sandbox reads only its cache), and the results folder."""
    root = assignment.root
    private = [p for p in root.iterdir() if p.name not in SHARED]
    private += [p for p in (root / "source_data").glob("*") if p.is_file()] + [Path(results_folder)]
    for top in private:
        for path in [top, *(top.rglob("*") if top.is_dir() and not top.is_symlink() else ())]:
            if not path.is_symlink():
                os.chmod(path, path.stat().st_mode & 0o700)


def grade(submission, results_path):
    assignment = assignments.resolve()
    try:
        Path(results_path).parent.mkdir(parents=True, exist_ok=True)
        lock_down(assignment, Path(results_path).parent)
        spec = assignment.config.get("dataset")
        if spec:
            data.sandbox_cache(spec, permutation.for_dataset(spec))
        results = single.grade(assignment, Path(submission), STUDENT)
    except Exception as err:  # noqa: BLE001  Gradescope must always get a results.json
        results = report.results_json(Outcome(STUDENT, error=f"the autograder failed: {type(err).__name__}: {err}"))
    report.validate(results)
    report.atomic_write(results_path, json.dumps(results, indent=2))
    return results


def main(argv=None):
    submission, results_path = argv if argv is not None else sys.argv[1:]
    results = grade(submission, results_path)
    print(f"score {results['score']:g}; results in {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
