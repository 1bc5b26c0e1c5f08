"""Reading submissions: notebooks, broken files, and running only the definitions."""
import nbformat
import pytest

from autograder import definitions, submission


def _select(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return definitions.select(submission.load(path, "mnist_mlp").chunks)


def test_only_definitions_run(tmp_path):
    statements, notes = _select(tmp_path, "s.py", (
        "import numpy as np\nEPS = 1e-7; W = np.zeros(3)\n@np.vectorize\ndef f(x):\n    return x\n"
        "for i in range(10 ** 9):\n    pass\nW1, b1 = init_params(784, 50, 10)\n"
        "try:\n    import cupy as cp\nexcept ImportError:\n    cp = None\n"
        "if __name__ == '__main__':\n    train()\n"))
    sources = [s.source for s in statements]
    assert sources[:4] == ["import numpy as np", "EPS = 1e-07", "W = np.zeros(3)",
                           "@np.vectorize\ndef f(x):\n    return x"]
    assert sources[4].startswith("try:") and len(sources) == 5
    assert notes == ["s.py, lines 6, 8, 13: not run (the grader runs only imports, definitions and simple constants)"]


def test_a_syntax_error_costs_only_its_own_definition(tmp_path):
    statements, notes = _select(tmp_path, "s.py", "def good(x):\n    return x\n\ndef bad(x:\n    pass\n\n"
                                                   "def also_good(x):\n    return '''\nmulti\n'''\n")
    names = [s.source.split("(")[0] for s in statements]
    assert names == ["def good", "def also_good"]
    assert "line 4: SyntaxError" in notes[0]


def _notebook(tmp_path, cells, language="python"):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": language, "language": language, "display_name": language}
    nb.cells = [nbformat.v4.new_markdown_cell("# Title")]  # Jupyter numbers no cells; code cells count
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def test_notebook_cells_with_magics(tmp_path):
    path = _notebook(tmp_path, ["%matplotlib inline\nimport numpy as np\n!pip install x",
                                "%%time\nslow()", "def f(x:\n", "def g(x):\n    return x"])
    statements, notes = definitions.select(submission.load(path, "m").chunks)
    assert [(s.label, s.source) for s in statements] == [
        ("code cell 1 (%matplotlib inline)", "import numpy as np"),
        ("code cell 4 (def g(x):)", "def g(x):\n    return x")]
    assert any(n.startswith("code cell 3 (def f(x:), line 1: SyntaxError") for n in notes)


def test_compound_statement_on_an_import_line_runs_only_the_import(tmp_path):
    statements, notes = _select(tmp_path, "s.py", (
        "from tensorflow.keras.datasets import mnist; (x_train, y_train), _ = mnist.load_data()\n"
        "import numpy as np; EPS = 1e-7\n"))
    assert [s.source for s in statements] == ["from tensorflow.keras.datasets import mnist", "import numpy as np"]
    assert notes == ["s.py, lines 1, 2: not run (the grader runs only imports, definitions and simple constants)"]


@pytest.mark.parametrize("name, data, message", [
    ("nb.ipynb", b"{not json", "not a readable Jupyter notebook"),
    ("s.py", b"\xff\xfe\x00d\x00e\x00f", "binary file"),
    ("s.py", b"def f():\n    return '\xe9'\n", "not UTF-8"),
])
def test_unreadable_submissions_say_why(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(submission.SubmissionError, match=message):
        submission.load(path, "m")


def test_notebook_of_another_language(tmp_path):
    with pytest.raises(submission.SubmissionError, match="is a R notebook"):
        submission.load(_notebook(tmp_path, ["x <- 1"], language="R"), "m")


def test_folder_prefers_the_assignment_file(tmp_path):
    (tmp_path / "notes.py").write_text("x = 1\n")
    (tmp_path / "mnist_mlp.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    path, note = submission.find_submission_file(tmp_path, "mnist_mlp")
    assert path.name == "mnist_mlp.ipynb"
    assert note == "graded file: mnist_mlp.ipynb (ignored: notes.py)"


def test_folder_with_its_only_candidate(tmp_path):
    (tmp_path / "readme.txt").write_text("hi")
    (tmp_path / "homework.py").write_text("x = 1\n")
    assert submission.find_submission_file(tmp_path, "mnist_mlp") == (tmp_path / "homework.py",
                                                                       "graded file: homework.py")


def test_folder_with_several_candidates_grades_none(tmp_path):
    (tmp_path / "a_stub.py").write_text("x = 1\n")
    (tmp_path / "b_correct.py").write_text("x = 2\n")
    with pytest.raises(submission.SubmissionError, match=r"2 candidate files \(a_stub.py, b_correct.py\) and none "
                                                         r"is named mnist_mlp.py or mnist_mlp.ipynb"):
        submission.load(tmp_path, "mnist_mlp")


def test_a_file_is_graded_by_name(tmp_path):
    (tmp_path / "alice.py").write_text("x = 1\n")
    assert submission.load(tmp_path / "alice.py", "mnist_mlp").notes == ["graded file: alice.py"]


def test_a_file_that_is_not_code_is_not_parsed(tmp_path):
    (tmp_path / "answers.txt").write_text("def f(): pass\n")
    with pytest.raises(submission.SubmissionError, match="answers.txt is not a .py or .ipynb file"):
        submission.load(tmp_path / "answers.txt", "mnist_mlp")
