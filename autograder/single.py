"""Grade one submission alone: for platforms that hand the kit one at a time (Gradescope, nbgrader).

The submission's regular files (links are not followed) are copied into a work folder
inside the engine's root, which the sandbox never sees, and graded by one warm worker
exactly as ``grade`` grades them. A worker that dies while grading is a failed grade,
never a second try: nothing but the submission could have killed it. Whatever happens,
the answer is a results.json document valid against Gradescope's schema.
"""
import os
import shutil
import tempfile
from pathlib import Path

from . import batch, report
from .grading import Outcome
from .workers import Workers


def copy_regular_files(source, target):
    source = Path(source)
    if source.is_file():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target / source.name)
        return
    for folder, _dirs, files in os.walk(source):  # os.walk does not follow links to folders
        rel = Path(folder).relative_to(source)
        (target / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                shutil.copyfile(path, target / rel / name)


def grade(assignment, submission, student, finish=None):
    """``submission``: a file or a folder. The results.json document of its grade.

    ``finish(results folder, results)``, if given, may amend the grade before the folder is
    removed (a late penalty); it returns the results.json document to give back."""
    work = Path(tempfile.mkdtemp(prefix=".work-", dir=assignment.root))  # mode 0700
    try:
        copy_regular_files(submission, work / student)
        timeout = assignment.config.get("limits", {}).get("submission_seconds", 300) + 120
        workers = Workers(assignment, work / "out", timeout, regrade=False)
        try:
            results = workers.grade(batch.Entry(work / student, id=student))
        finally:
            workers.close()
        if finish:
            results = finish(work / "out" / student, results)
    except Exception as err:  # noqa: BLE001  the platform must always get a result
        results = report.results_json(Outcome(student, error=f"the autograder failed: {type(err).__name__}: {err}"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report.validate(results)
    return results
