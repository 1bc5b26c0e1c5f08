"""keras_mlp in Jupyter, as nbgrader runs it: the instructor's source notebook (solutions filled in,
hidden test cells present) executed top to bottom in a real kernel. Every check cell is worth its
rubric line, the network's cell trains the model in the kernel with the grader's verification,
and the last cell runs `check --train`'s training check on the notebook's own functions.
"""
import nbformat
import pytest

from autograder import assignment as assignments

pytestmark = pytest.mark.slow
ASSIGNMENT = assignments.resolve("keras_mlp")
RUBRIC = {"preprocess": 15, "build_model": 25, "compile_model": 25, "train": 5, "network": 30}


def test_the_source_notebook_earns_every_point_in_a_kernel():
    from nbclient import NotebookClient
    nb = nbformat.read(ASSIGNMENT.solution_dir / "keras_mlp.ipynb", as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ASSIGNMENT.release_dir)}}).execute()
    cells = {c.metadata.nbgrader.grade_id.removeprefix("checks-"): c for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade")}
    scores = {f: float(c.outputs[-1].data["text/plain"]) for f, c in cells.items()}
    assert scores == RUBRIC, {f: "".join(o.get("text", "") for o in c.outputs) for f, c in cells.items()}
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert "Training check: train_on_batch on the grader's schedule" in text and "90% tier: likely reached" in text
