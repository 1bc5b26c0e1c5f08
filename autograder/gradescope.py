"""What Gradescope's run_autograder runs: grade one submission folder into results.json.

    python -m autograder.gradescope SUBMISSION_DIR RESULTS_JSON

The submission is copied (regular files only: links are not followed) into a work folder
inside the engine's root, which the sandbox never sees, and graded by the same worker
as ``grade``. Whatever happens, a results.json valid against Gradescope's schema is written.
"""
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from . import assignment as assignments
from . import batch, data, files, i18n, late, report
from .amend import amend
from .workers import Workers
from .grading import Outcome

STUDENT = "submission"
METADATA = "submission_metadata.json"  # beside the submission folder: /autograder/submission_metadata.json


def copy_regular_files(source, target):
    for folder, _dirs, names in os.walk(source):  # os.walk does not follow links to folders
        rel = Path(folder).relative_to(source)
        (target / rel).mkdir(parents=True, exist_ok=True)
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                shutil.copyfile(path, target / rel / name)


def grade(submission, results_path):
    assignment = assignments.resolve()
    work = Path(tempfile.mkdtemp(prefix=".work-", dir=assignment.root))
    try:
        copy_regular_files(Path(submission), work / STUDENT)
        spec = assignment.config.get("dataset")
        if spec:
            data.load(spec)
        timeout = assignment.config.get("limits", {}).get("submission_seconds", 300) + 120
        workers = Workers(assignment, work / "out", timeout)
        try:
            results = workers.grade(batch.Entry(work / STUDENT, id=STUDENT))
        finally:
            workers.close()
        lateness = late.from_gradescope(assignment.config.get("late", {}), Path(submission).parent / METADATA)
        if lateness and results.get("tests"):
            i18n.choose(assignment)  # the penalty is explained in the students' language
            results = amend(work / "out" / STUDENT, lateness=lateness)
    except Exception as err:  # noqa: BLE001  Gradescope must always get a results.json
        results = report.results_json(Outcome(STUDENT, error=f"the autograder failed: {type(err).__name__}: {err}"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
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
