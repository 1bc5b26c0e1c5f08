"""Generate the student release from the instructor's source: one source of truth.

The instructor writes ``solutions/<id>/<module>.py`` in jupytext's percent
format with nbgrader's markers. A ``# hint: ...`` comment right above
``### BEGIN SOLUTION`` becomes the message of the stub's NotImplementedError.
From it come ``assignments/<id>/<module>.py``, the nbgrader source notebook
``solutions/<id>/<module>.ipynb`` and nbgrader's release of it,
``assignments/<id>/<module>.ipynb`` (see nbgrader/source.py), and
``dist/<id>-student.zip``, the handout.
"""
import json
import tomllib
import zipfile
from pathlib import Path

from .solution import strip_solutions

# The engine as it ships, in the handout and in the Gradescope bundle alike: code, schemas,
# the pytest configuration and the compiled message catalogues.
ENGINE_FILES = ("autograder/**/*.py", "autograder/**/*.json", "autograder/**/*.ini", "autograder/locale/**/*.mo",
                "pyproject.toml")


def build(assignment, dist=None):
    """Write the release files and the handout zip; return the paths written.

    The notebooks come from autograder/nbgrader/source.py: the instructor's nbgrader
    source notebook (``solutions/<id>/<module>.ipynb``, with test cells built from the
    ``@check`` markers) and what ``nbgrader generate_assignment`` makes of it.
    """
    from . import i18n
    from .nbgrader import source as nbgrader_source  # runs nbgrader: only the instructor's build needs it
    i18n.choose(assignment)  # the notebook's own messages are in the course's language
    source = assignment.reference_path.read_text()
    release_py = strip_solutions(source)
    written = []
    target = assignment.release_dir / f"{assignment.module}.py"
    target.write_text(release_py)
    written.append(target)
    written += nbgrader_source.build(assignment)
    written.append(handout(assignment, Path(dist or assignment.root / "dist")))
    return written


def shipped_files(root, patterns=ENGINE_FILES, folders=()):
    """(path on disk, path in a zip) of the files matching ``patterns`` under ``root`` and of
    every file in ``folders``, without Python's and Jupyter's caches."""
    skip = ("__pycache__", ".ipynb_checkpoints")
    files = [p for pattern in patterns for p in Path(root).glob(pattern)]
    files += [p for folder in folders for p in Path(folder).rglob("*") if p.is_file()]
    return [(p, p.relative_to(root).as_posix()) for p in sorted(set(files)) if not any(s in p.parts for s in skip)]


def handout_files(assignment):
    """(path on disk, path in the zip): the release, the public checks, the engine."""
    return shipped_files(assignment.root, folders=[assignment.release_dir])


STUDENT_README = """# {title}

Implement the functions marked `YOUR CODE HERE` in the notebook
`assignments/{id}/{module}.ipynb` or in `assignments/{id}/{module}.py`.

## Install the checks

    python -m pip install {id}-student.zip

That is all: no clone, no editable install. It brings NumPy and the rest from PyPI.

## Google Colab

1. Open `assignments/{id}/{module}.ipynb` in Colab (File > Upload notebook).
2. Upload `{id}-student.zip` itself into the session (the folder icon on the left, then
   the upload button); keep it zipped.
3. Run the notebook's first code cell: it finds the zip and installs it. If it cannot
   find the zip it says so and what to do.

Plain Jupyter works the same way: keep `{id}-student.zip` next to the notebook, or
install it beforehand with the command above.

## Check your work

Public checks only; the final grade adds hidden checks.

    python -m autograder check path/to/{module}.py         # or your .ipynb
    python -m autograder check path/to/{module}.py --train # also train the network
    python -m autograder check path/to/{module}.py --html feedback.html

Each failed check says what was expected, what your code returned, and the likely cause.
`--html` writes the same feedback as a web page (open it in a browser; with `--train` it
shows your loss curve). `--train` trains your network with the grader's schedule on the
training images minus {validation:,} held out, and says which accuracy tiers it would
likely reach; the grader scores on the test set, so its accuracy can differ a little.
The first run downloads the data set ({data}). In the notebook, the last cell does the
same. `--lang ko` shows the feedback in Korean.
"""

HANDOUT_PYPROJECT = """# The student handout: `pip install {id}-student.zip` installs the engine with the
# assignment inside it (autograder/handout/assignments/), so no clone is needed.
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{id}-student"
version = "{version}"
description = "Public checks of {id} (student handout)"
requires-python = "{python}"
dependencies = {dependencies}

[tool.setuptools]
packages = ["autograder", "autograder.sandbox", "autograder.nbgrader", "autograder.pages", "autograder.handout.assignments"]
package-dir = {{"autograder.handout.assignments" = "assignments"}}

[tool.setuptools.package-data]
autograder = ["schemas/*.json", "checks.ini", "locale/*/LC_MESSAGES/*.mo"]
"autograder.handout.assignments" = {assignment_files}
"""


def handout_pyproject(assignment, files):
    """The handout's pyproject.toml: the kit's metadata and dependencies, the release as package data."""
    with open(assignment.root / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    prefix = "assignments/"
    inside = sorted(name[len(prefix):] for _, name in files if name.startswith(prefix))
    return HANDOUT_PYPROJECT.format(id=assignment.id, version=project["version"], python=project["requires-python"],
                                    dependencies=json.dumps(project["dependencies"] + assignment.requirements),
                                    assignment_files=json.dumps(inside))


def handout(assignment, dist):
    dist.mkdir(parents=True, exist_ok=True)
    target = dist / f"{assignment.id}-student.zip"
    readme = STUDENT_README.format(title=assignment.config.get("title", assignment.id), id=assignment.id,
                                   module=assignment.module, data=assignment.config.get("dataset", {}).get("file"),
                                   validation=assignment.config.get("self_check", {}).get("validation_images", 0))
    files = [(p, n) for p, n in handout_files(assignment) if n != "pyproject.toml"]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, name in files:
            zf.write(path, name)
        zf.writestr("pyproject.toml", handout_pyproject(assignment, files))
        zf.writestr("README.md", readme)
    return target
