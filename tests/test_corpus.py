"""The whole grader, end to end, on the reference, the stubs, the style zoo and the one-bug mutants."""
import json

import pytest

from kit import GRADED, MUTANTS, STYLES, assert_loses_its_own_points, failed_outputs, grade, header

# The first test to run grades the whole corpus (about 50 files, each trained on MNIST) through
# the session fixtures: about 4 min on 2 idle cores, 20 min measured with load average 12.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
PUBLIC_POINTS = 66


def test_corpus_is_large_enough():
    assert len(MUTANTS) >= 30
    assert len(STYLES) >= 8 and sum(p.suffix == ".ipynb" for p in STYLES) >= 2


@pytest.mark.parametrize("style", STYLES, ids=lambda p: p.name)
def test_every_correct_style_earns_full_marks(corpus_grades, corpus_checks, style):
    student = f"styles_{style.stem}"
    graded, checked = corpus_grades[student], corpus_checks[student]
    assert graded["score"] == 100, [t["output"] for t in graded["tests"] if t["status"] != "passed"]
    assert checked["score"] == PUBLIC_POINTS, [t["output"] for t in checked["tests"] if t["status"] != "passed"]
    # A hint needs its evidence: correct code never reads "Likely cause".
    assert not any("Likely cause" in t["output"] for t in graded["tests"] + checked["tests"])


def _public_scores(results):
    return {t["name"]: t["score"] for t in results["tests"] if t["visibility"] == "visible"}


def test_check_predicts_grade(corpus_grades, corpus_checks):
    """Every public check scores the same in the student's self-check and in the grade.

    One difference is by design: ``check`` runs train_step with the student's own helpers
    (there is no reference on a student's machine), ``grade`` with the reference's. So when
    another function of a mutant is wrong, its train_step checks may fail in ``check`` only.
    """
    assert len(corpus_checks) >= len(MUTANTS) + len(STYLES) + 3
    for student, checked in corpus_checks.items():
        graded = _public_scores(corpus_grades[student])
        mutant = student.startswith("mutants_")
        helper_bug = mutant and "train_step" not in header(
            next(m for m in MUTANTS if f"mutants_{m.stem}" == student), "loses")
        for name, score in _public_scores(checked).items():
            if helper_bug and name.startswith("train_step"):
                continue
            assert score == graded[name], f"{student}: {name} scores {score} in check, {graded[name]} in grade"


def test_check_predicts_the_grades_public_points_as_a_range(corpus_grades, corpus_checks):
    for student, checked in corpus_checks.items():
        low, high = checked["extra_data"]["grade_range"]
        graded = sum(_public_scores(corpus_grades[student]).values())
        assert low == checked["score"] and low <= graded <= high, (student, low, graded, high)


def test_check_blames_a_failing_helper_not_train_steps_arithmetic(corpus_checks):
    """A loss that sums instead of averaging fails train_step's gradient check in `check` (its own
    helpers run there) but not in `grade`: the feedback says so and never blames the arithmetic."""
    checked = corpus_checks["mutants_cross_entropy_sum"]
    failed = failed_outputs(checked, "train_step")
    assert failed, "the summing loss should fail a train_step check in check"
    for output in failed:
        cause = output.split("Likely cause: ", 1)[1]
        assert cause.startswith("cross_entropy_error (which train_step calls) fails its own checks"), output
        assert "times too large" not in output
    assert checked["extra_data"]["grade_range"][1] > checked["score"]


def test_reference_earns_full_marks(corpus_grades):
    results = corpus_grades["reference"]
    assert results["score"] == 100
    assert all(t["status"] == "passed" for t in results["tests"])
    assert all(any(f in t["name"] for f in GRADED) for t in results["tests"])


def test_lesson_style_code_earns_full_marks(corpus_grades):
    assert corpus_grades["alice"]["score"] == 100


def _everything_graded(results):
    """Every check's verdict and words, and what the training run reached: what must not vary."""
    artifacts = results["extra_data"]["artifacts"]
    return ([(t["name"], t["score"], t["status"], t["output"]) for t in results["tests"]],
            artifacts["test_accuracy"], artifacts["training"]["steps_done"], artifacts["training"]["stopped"],
            artifacts["plots"])


@pytest.mark.parametrize("student", ["alice", "mutants_cross_entropy_sum"])
def test_grading_is_deterministic(corpus_grades, student):
    first, again = corpus_grades[student], corpus_grades[f"{student}_again"]
    assert _everything_graded(first) == _everything_graded(again)
    assert first["score"] == again["score"]


def test_stubs_score_zero_with_not_implemented_messages(corpus_grades):
    results = corpus_grades["stubs"]
    assert results["score"] == 0
    assert results["extra_data"]["error"] == ""
    visible = [t for t in results["tests"] if t["visibility"] == "visible"]
    assert visible and all("not implemented yet" in t["output"] for t in visible)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda p: p.stem)
def test_mutant_loses_only_its_function(corpus_grades, mutant):
    results = corpus_grades[f"mutants_{mutant.stem}"]
    assert 0 < results["score"] < 100, "a one-bug submission keeps partial credit"
    assert_loses_its_own_points(results, mutant, GRADED)


def test_lesson_notebook_grades_the_same_without_keras(tmp_path):
    """The Keras cells are skipped or fail at load as notes only, whether or not Keras is installed."""
    notebook = next(p for p in STYLES if p.name == "lesson_keras.ipynb").read_text()
    absent = notebook.replace("import keras", "import keras_absent as keras").replace(
        "from keras.datasets", "from keras_absent.datasets")
    (tmp_path / "lesson_no_keras.ipynb").write_text(absent)
    results = grade([tmp_path / "lesson_no_keras.ipynb"], tmp_path / "out")["lesson_no_keras"]
    assert results["score"] == 100, [t["output"] for t in results["tests"] if t["status"] != "passed"]
    assert "No module named 'keras_absent'" in json.dumps(results)
