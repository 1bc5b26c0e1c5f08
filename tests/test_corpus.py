"""The whole grader, end to end, on the reference, the stubs and the one-bug mutants."""
import pytest

from kit import GRADED, SUBMISSIONS, failed_outputs, functions, header

MUTANTS = sorted((SUBMISSIONS / "mutants").glob("*.py"))
pytestmark = pytest.mark.slow


def test_corpus_is_large_enough():
    assert len(MUTANTS) >= 12


def test_reference_earns_full_marks(corpus_grades):
    results = corpus_grades["reference"]
    assert results["score"] == 100
    assert all(t["status"] == "passed" for t in results["tests"])
    assert all(any(f in t["name"] for f in GRADED) for t in results["tests"])


def test_lesson_style_code_earns_full_marks(corpus_grades):
    assert corpus_grades["alice"]["score"] == 100


def test_grading_is_deterministic(corpus_grades):
    a, b = corpus_grades["alice"], corpus_grades["alice_again"]
    assert [(t["name"], t["score"]) for t in a["tests"]] == [(t["name"], t["score"]) for t in b["tests"]]


def test_stubs_score_zero_with_not_implemented_messages(corpus_grades):
    results = corpus_grades["stubs"]
    assert results["score"] == 0
    assert results["extra_data"]["error"] == ""
    visible = [t for t in results["tests"] if t["visibility"] == "visible"]
    assert visible and all("not implemented yet" in t["output"] for t in visible)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda p: p.stem)
def test_mutant_loses_only_its_function(corpus_grades, mutant):
    results = corpus_grades[f"mutants_{mutant.stem}"]
    loses = header(mutant, "loses")
    points = functions(results)
    assert 0 < results["score"] < 100, "a one-bug submission keeps partial credit"
    for function in GRADED:
        got, most = points[function]
        if function in loses:
            assert got < most, f"{function} should lose points"
        else:
            assert got == most, f"{function} should keep its points: {failed_outputs(results, function)}"
