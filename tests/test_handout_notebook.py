"""The handout as a student gets it: a fresh venv, the release notebook, nothing from the repository.

The notebook's first cell installs the handout zip lying next to it (the Colab path);
every check cell then reports the points `grade` gives the same notebook, and the
training cell runs the local training check.
"""
import os
import subprocess
import venv

import nbformat
import pytest

from autograder import assignment as assignments
from autograder import release, solution
from kit import ROOT, grade

ASSIGNMENT = assignments.resolve("mnist_mlp")
MARKERS = {solution.BEGIN, solution.END}


def filled_notebook():
    """The release notebook with each solution cell taken from the instructor's source notebook."""
    released = nbformat.read(ASSIGNMENT.release_dir / "mnist_mlp.ipynb", as_version=4)
    source = {c.id: c for c in nbformat.read(ASSIGNMENT.solution_dir / "mnist_mlp.ipynb", as_version=4).cells}
    for cell in released.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell.source = "\n".join(l for l in source[cell.id].source.splitlines() if l.strip() not in MARKERS)
    return released


def cell_points(cell):
    """The value a check cell returns (nbgrader's score for it)."""
    results = [o for o in cell.outputs if o.output_type == "execute_result"]
    assert results, f"{cell.id} returned nothing: {cell.outputs}"
    return float(results[0]["data"]["text/plain"])


def text(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.mark.slow
@pytest.mark.timeout(1800)  # a fresh venv, pip installs from the registry, then the whole notebook
def test_release_notebook_runs_in_a_fresh_venv_with_only_the_handout(tmp_path):
    work = tmp_path / "colab"
    work.mkdir()
    zip_path = release.handout(ASSIGNMENT, work)
    assert zip_path.parent == work  # next to the notebook, as if uploaded to the Colab session
    notebook = work / "mnist_mlp.ipynb"
    nbformat.write(filled_notebook(), notebook)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # Only what runs a notebook headless; the set-up cell installs the handout itself.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([python, "-m", "pip", "install", "--quiet", "nbclient", "ipykernel"], check=True,
                   capture_output=True, timeout=900, cwd=tmp_path, env=env)
    assert subprocess.run([python, "-c", "import autograder"], cwd=tmp_path, env=env,
                          capture_output=True).returncode != 0
    executed = tmp_path / "executed.ipynb"
    script = ("import sys, nbformat, nbclient\n"
              "nb = nbformat.read(sys.argv[1], as_version=4)\n"
              "nbclient.NotebookClient(nb, timeout=900, kernel_name='python3',"
              " resources={'metadata': {'path': sys.argv[3]}}).execute()\n"
              "nbformat.write(nb, sys.argv[2])\n")
    env["MNIST_NPZ"] = str(ROOT / "source_data" / "mnist.npz")
    proc = subprocess.run([python, "-c", script, notebook, executed, work], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    cells = {c.id: c for c in nbformat.read(executed, as_version=4).cells}
    assert "The checks are ready." in text(cells["setup"])

    graded = grade([notebook], tmp_path / "graded", jobs=1)["mnist_mlp"]
    points = {f: v[0] for f, v in graded["extra_data"]["functions"].items()}
    in_notebook = {cid.removeprefix("checks-"): cell_points(c) for cid, c in cells.items() if cid.startswith("checks-")}
    assert in_notebook == points, (in_notebook, points)
    assert sum(points.values()) == 100
    training = text(cells["training-check"])
    assert "validation accuracy" in training and "90% tier: likely reached" in training, training

    # A Korean course: the installed handout carries the engine's and the public checks' catalogues.
    korean = subprocess.run([python, "-m", "autograder", "check", "--lang", "ko"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert "실패 sigmoid: 알려진 값 (0/3)" in korean.stdout, korean.stdout
    assert "sigmoid을(를) 아직 구현하지 않았습니다" in korean.stdout and "0 / 66 공개 검사 점수" in korean.stdout
    assert "np.exp를 사용하세요" in korean.stdout  # the stub's own hint, from the public catalogue
