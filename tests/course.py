"""A scratch nbgrader course for the kit's tests: the real nbgrader commands, headless.

A course is a folder holding a copy of nbgrader_config.py and the source notebook;
``submit`` writes a student's notebook where ``nbgrader collect`` would; the gradebook is
read with nbgrader's own API.
"""
import subprocess
import sys

import nbformat

from autograder import assignment as assignments
from autograder import solution

ASSIGNMENT = assignments.resolve("mnist_mlp")
SOURCE_NB = ASSIGNMENT.solution_dir / "mnist_mlp.ipynb"
RELEASE_NB = ASSIGNMENT.release_dir / "mnist_mlp.ipynb"
RUBRIC = {"sigmoid": 10, "softmax": 15, "one_hot": 10, "cross_entropy_error": 15, "affine_layer_backward": 20,
          "train_step": 20, "network": 10}


def nbgrader(course, *args, timeout=1200):
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0 and "Exception while loading config" not in proc.stderr, proc.stderr[-3000:]
    return proc


def create(root):
    """The course at ``root``, with its assignment generated."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text((ASSIGNMENT.root / "nbgrader_config.py").read_text())
    (root / "solutions" / "mnist_mlp").mkdir(parents=True)
    (root / "solutions" / "mnist_mlp" / "mnist_mlp.ipynb").write_text(SOURCE_NB.read_text())
    nbgrader(root, "generate_assignment", "mnist_mlp")
    return root


def submit(root, student, nb):
    folder = root / "submitted" / student / "mnist_mlp"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "mnist_mlp.ipynb")
    return folder / "mnist_mlp.ipynb"


def answer(source):
    """What a student who wrote the reference's code leaves in a cell: no markers, no hints."""
    return "\n".join(l for l in source.split("\n") if l.strip() not in (solution.BEGIN, solution.END)
                     and not solution.HINT.match(l))


def notebook_of(source):
    """The release notebook with all of ``source`` in its first solution cell and the other solution
    cells emptied: every test cell then sees the whole program, as every check sees a .py file."""
    nb = nbformat.read(RELEASE_NB, as_version=4)
    solutions = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    for index, cell in enumerate(solutions):
        cell.source = answer(source) if index == 0 else ""
    return nb


def points(root, students):
    """{student: {function: points}} and {student: total}, from the gradebook."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return ({s: {f: gb.find_grade(f"checks-{f}", "mnist_mlp", "mnist_mlp", s).score for f in RUBRIC}
                 for s in students}, {s: gb.find_submission("mnist_mlp", s).score for s in students})
