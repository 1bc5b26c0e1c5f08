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
from . import data, files, i18n, late, report, single
from .amend import amend
from .grading import Outcome

STUDENT = "submission"
METADATA = "submission_metadata.json"  # beside the submission folder: /autograder/submission_metadata.json


SHARED = {"autograder", "assignments", ".venv"}  # what the sandbox reads from the bundle (never the data)


def lock_down(assignment, results_folder):
    """Owner-only modes (the grader is the owner) for everything student code never needs:
    every top-level entry of the bundle but SHARED (so the hidden checks, the reference and
    the data set: the trusted side sends each training batch), and the results folder."""
    root = assignment.root
    private = [p for p in root.iterdir() if p.name not in SHARED] + [Path(results_folder)]
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
            data.load(spec)
        lateness = late.from_gradescope(assignment.config.get("late", {}), Path(submission).parent / METADATA)

        def late_penalty(folder, results):  # explained in the students' language
            if not (lateness and results.get("tests")):
                return results
            i18n.choose(assignment)
            return amend(folder, lateness=lateness)
        results = single.grade(assignment, Path(submission), STUDENT, finish=late_penalty)
    except Exception as err:  # noqa: BLE001  Gradescope must always get a results.json
        results = report.results_json(Outcome(STUDENT, error=f"the autograder failed: {type(err).__name__}: {err}"))
    report.validate(results)
    files.atomic_write(results_path, json.dumps(results, indent=2))
    return results


def main(argv=None):
    submission, results_path = argv if argv is not None else sys.argv[1:]
    results = grade(submission, results_path)
    print(f"score {results['score']:g}; results in {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
