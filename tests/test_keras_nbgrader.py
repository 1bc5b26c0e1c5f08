"""keras_mlp in Jupyter, as nbgrader runs it: the instructor's source notebook (solutions filled in,
hidden test cells present) executed top to bottom in a real kernel. Every check cell is worth its
rubric line, and the network's cell trains the model in the kernel under the grader's verification.

To keep the suite short, the kernel imports a scratch copy of the kit whose schedule is 200 steps
(tiers 50% and 70%): the mechanics are the same as the graded epoch's, which tests/test_keras_corpus.py
runs in the sandbox. The notebook's last cell, the optional training check, is left out: the corpus
runs `check --train`.
"""
import re
import shutil

import nbformat
import pytest

from autograder import assignment as assignments
from autograder import data
from kit import ROOT

pytestmark = pytest.mark.slow
RUBRIC = {"preprocess": 15, "build_model": 25, "compile_model": 25, "train": 5, "network": 30}
SHORT = {"steps": "200", "snapshot_every": "100", "accuracy_tiers": "[0.50, 0.70]"}


def short_schedule_kit(root):
    """The kit's engine and assignments in ``root``, keras_mlp's schedule cut to 200 steps."""
    for part in ("autograder", "assignments", "solutions", "pyproject.toml"):
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy)(ROOT / part, root / part)
    toml = root / "assignments" / "keras_mlp" / "assignment.toml"
    text = toml.read_text()
    for key, value in SHORT.items():
        text = re.sub(rf"^{key} = .*$", f"{key} = {value}", text, count=1, flags=re.MULTILINE)
    toml.write_text(text)
    return assignments.Assignment("keras_mlp", root)


def test_the_source_notebook_earns_every_point_in_a_kernel(tmp_path, monkeypatch):
    from nbclient import NotebookClient
    scratch = short_schedule_kit(tmp_path)
    assert scratch.config["schedule"]["steps"] == 200
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # the kernel imports the scratch kit
    monkeypatch.setenv(scratch.config["dataset"]["env"], str(data.locate(scratch.config["dataset"])))
    for variable, value in scratch.sandbox_env.items():  # as nbgrader_config.py gives nbgrader's kernels
        monkeypatch.setenv(variable, value)
    nb = nbformat.read(scratch.solution_dir / "keras_mlp.ipynb", as_version=4)
    assert nb.cells[-1].id == "training-check"
    nb.cells.pop()
    nb.cells.append(nbformat.v4.new_code_cell("import autograder\nprint(autograder.__file__)"))
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(scratch.release_dir)}}).execute()
    assert nb.cells[-1].outputs[0].text.startswith(str(tmp_path))
    cells = {c.metadata.nbgrader.grade_id.removeprefix("checks-"): c for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade")}
    scores = {f: float(c.outputs[-1].data["text/plain"]) for f, c in cells.items()}
    assert scores == RUBRIC, {f: "".join(o.get("text", "") for o in c.outputs) for f, c in cells.items()}
    network = "".join(o.get("text", "") for o in cells["network"].outputs)
    assert "hidden check 1: passed (15/15)" in network and "hidden check 2: passed (15/15)" in network, network
