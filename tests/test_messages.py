"""Messages for a missing graded function and for running out of memory, as a student reads them."""
import pytest

from kit import LESSON, REFERENCE, self_check

LESSON_CODE = LESSON.read_text()


def _outputs(results, function):
    return [t["output"] for t in results["tests"] if t["tags"] == [function] and t["status"] == "failed"]


@pytest.mark.parametrize("function, source, alias", [
    ("one_hot", LESSON_CODE.replace("def one_hot(labels, num_classes=10):", "def _unused(labels, num_classes=10):"),
     "_change_ont_hot_label"),
    ("cross_entropy_error", REFERENCE.read_text().replace("def cross_entropy_error(", "def cross_entropy("),
     "cross_entropy")])
def test_a_missing_function_names_the_students_alias(tmp_path, function, source, alias):
    (tmp_path / "mnist_mlp.py").write_text(source)
    outputs = _outputs(self_check(tmp_path / "mnist_mlp.py", tmp_path / "r.json"), function)
    assert outputs and all(f"{function} is not defined in your submission; your {alias} looks like it" in o
                           and f"define {function}" in o for o in outputs), outputs


def test_a_missing_function_without_an_alias_gets_no_hint(tmp_path):
    (tmp_path / "mnist_mlp.py").write_text(REFERENCE.read_text().replace("def softmax(", "def normalise("))
    outputs = _outputs(self_check(tmp_path / "mnist_mlp.py", tmp_path / "r.json"), "softmax")
    assert outputs and all(o == "softmax is not defined in your submission" for o in outputs), outputs


def test_memory_error_says_the_limit(tmp_path):
    # Beyond the 2 GiB address-space limit: Python raises MemoryError with an empty message.
    (tmp_path / "mnist_mlp.py").write_text(
        REFERENCE.read_text() + "\n\ndef sigmoid(x):\n    return bytearray(3 << 30)\n")
    outputs = _outputs(self_check(tmp_path / "mnist_mlp.py", tmp_path / "r.json"), "sigmoid")
    assert outputs and all(o.startswith("sigmoid ran out of memory (the limit is 2 GiB)") for o in outputs), outputs
