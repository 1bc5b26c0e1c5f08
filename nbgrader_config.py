"""nbgrader's configuration for the kit: this folder (the repository) is the course root.

Run nbgrader from here (docs/nbgrader.md):

    nbgrader generate_assignment mnist_mlp   # solutions/mnist_mlp/mnist_mlp.ipynb -> release/mnist_mlp/
    nbgrader autograde mnist_mlp             # submitted/<student>/mnist_mlp/ -> autograded/<student>/mnist_mlp/
    nbgrader generate_feedback mnist_mlp     # -> feedback/<student>/mnist_mlp/mnist_mlp.html
    nbgrader export                          # -> grades.csv

A copy of this file in another folder makes that folder a course root (the kit's tests do
this); the kit itself must be installed in the Python that runs nbgrader and its kernel.
"""
import os
import sys

from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions, Execute, SaveAutoGrades

from autograder import assignment as assignments
from autograder.nbgrader.preprocessors import ClearSolutionsWithHints, GradeInSandbox, ScoreCheckCells

c = get_config()  # noqa: F821 - nbgrader defines it while it reads this file


def default(cls, name):
    return list(cls.class_traits()[name].default())


c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# nbgrader's "source" folder is the instructor's: the notebook `make release` generates.
c.CourseDirectory.source_directory = "solutions"
# Only notebooks move between nbgrader's folders: never the reference .py or the hidden checks.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.py", "tests"]

# Stubs keep each function's hint: raise NotImplementedError("<hint>"), as in the .py release.
c.GenerateAssignment.preprocessors = [ClearSolutionsWithHints if p is ClearSolutions else p
                                      for p in default(GenerateAssignment, "preprocessors")]

# autograde runs no kernel: the kit grades each notebook with student code in its sandbox
# (the gradebook, source/ and the other students' folders out of reach) and fills in what
# the test cells print and return; a test cell is then worth the points its checks return.
autograde = [GradeInSandbox if p is Execute else p for p in default(Autograde, "autograde_preprocessors")]
autograde.insert(autograde.index(SaveAutoGrades), ScoreCheckCells)
c.Autograde.autograde_preprocessors = autograde
# A student who deleted a test cell (by editing the file) gets it back, and it is graded.
c.OverwriteCells.add_missing_cells = True
# `nbgrader validate` still runs a notebook in a kernel (the student's own code, on their
# machine): a cell that hangs is stopped after this many seconds; the rest still runs.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

# nbgrader puts the hidden tests back to run them; feedback must not show them.
c.GenerateFeedback.preprocessors = default(GenerateFeedback, "preprocessors") + [ClearHiddenTests]

# nbgrader runs `alembic` (its database migrations) from PATH: use the one beside this
# Python, so `.venv/bin/nbgrader ...` works without activating the venv.
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])

# The kernels `nbgrader validate` starts inherit this: one BLAS thread, as in the kit's sandbox,
# so training speed and results do not depend on how many cores the machine has.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")
# ...and what each assignment's code needs in the sandbox, as data ([sandbox] env in assignment.toml:
# keras_mlp's TensorFlow threads and malloc arenas).
for assignment in assignments.candidates():
    for variable, value in assignment.sandbox_env.items():
        os.environ.setdefault(variable, value)
