"""keras_mlp end to end: the style zoo earns full marks, every one-bug mutant loses its own points
with its cause named, and shortcuts earn nothing for the network.

The whole corpus is ONE batch (TensorFlow starts in every sandbox process, a few seconds each),
graded without --assignment: every student's file is keras_mlp.py, and one mnist_mlp.py student
makes it a mixed class, each graded for the assignment its file names.
"""
import csv
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from kit import (ROOT, SUBMISSIONS, assert_loses_its_own_points, functions, grade, header, materialize, run_cli,
                 self_check)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]
ZOO = SUBMISSIONS / "keras_mlp"
REFERENCE = ROOT / "solutions" / "keras_mlp" / "keras_mlp.py"
STYLES = sorted(p for p in (ZOO / "styles").iterdir() if p.suffix in (".py", ".ipynb"))
MUTANTS = sorted((ZOO / "mutants").glob("*.py"))
SHORTCUTS = sorted((ZOO / "shortcuts").glob("*.py"))
FUNCTIONS = ["preprocess", "build_model", "compile_model", "train", "network"]
PUBLIC_POINTS = 52


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A class folder: one folder per student, each holding a keras_mlp file (one mnist_mlp.py)."""
    folder = tmp_path_factory.mktemp("keras_class")
    for style in STYLES:
        target = folder / f"styles_{style.stem}" / f"keras_mlp{style.suffix}"
        target.parent.mkdir()
        target.write_bytes(style.read_bytes())
    for snippet in MUTANTS + SHORTCUTS:
        materialize(snippet, folder, REFERENCE, folder / f"{snippet.parent.name}_{snippet.stem}" / "keras_mlp.py")
    for name, source in (("stubs", ROOT / "assignments" / "keras_mlp" / "keras_mlp.py"),
                         ("numpy_student", ROOT / "solutions" / "mnist_mlp" / "mnist_mlp.py")):
        target = folder / name / ("mnist_mlp.py" if name == "numpy_student" else "keras_mlp.py")
        target.parent.mkdir()
        target.write_text(source.read_text())
    return folder


@pytest.fixture(scope="module")
def graded(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("keras_out")
    return grade([corpus], out, assignment=None), out


@pytest.fixture(scope="module")
def checked(corpus, tmp_path_factory):
    """The self-check (public checks) of every style and mutant, two at a time (the shortcuts' public
    checks are the reference's)."""
    out = tmp_path_factory.mktemp("keras_checks")
    files = sorted(p for p in corpus.glob("*/keras_mlp.*") if p.parent.name.startswith(("styles_", "mutants_")))
    with ThreadPoolExecutor(2) as pool:
        results = pool.map(lambda p: self_check(p, out / f"{p.parent.name}.json", assignment=None), files)
        return dict(zip((p.parent.name for p in files), results))


def training(results):
    return results["extra_data"].get("artifacts", {}).get("training", {})


def test_the_zoo_covers_the_lesson_and_its_likely_bugs():
    assert len(STYLES) >= 4 and any(p.suffix == ".ipynb" for p in STYLES)
    assert {"relu_hidden", "hidden_128_units", "categorical_loss_integer_labels", "no_scaling",
            "input_shape_28x28", "sgd_optimizer"} <= {p.stem for p in MUTANTS}


@pytest.mark.parametrize("style", STYLES, ids=lambda p: p.name)
def test_every_correct_style_earns_full_marks(graded, checked, style):
    student = f"styles_{style.stem}"
    results, own = graded[0][student], checked[student]
    assert results["score"] == 100, [t["output"] for t in results["tests"] if t["status"] != "passed"]
    assert results["extra_data"]["assignment"] == "keras_mlp"
    assert own["score"] == PUBLIC_POINTS, [t["output"] for t in own["tests"] if t["status"] != "passed"]
    assert not any("Likely cause" in t["output"] for t in results["tests"] + own["tests"])
    assert training(results)["completed"] and training(results)["test_accuracy"] > 0.9


def test_a_mixed_class_grades_each_student_for_the_assignment_their_file_names(graded):
    results, out = graded
    assert results["numpy_student"]["score"] == 100 and results["numpy_student"]["extra_data"]["assignment"] == "mnist_mlp"
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    lesson = rows["styles_lesson"]
    assert lesson["assignment"] == "keras_mlp" and rows["numpy_student"]["assignment"] == "mnist_mlp"
    assert rows["numpy_student"]["train_step"] == "20" and lesson["build_model"] == "25"
    assert rows["numpy_student"]["build_model"] == lesson["train_step"] == ""  # not theirs to earn


def test_the_untouched_release_earns_only_the_optional_function(graded):
    results = graded[0]["stubs"]
    assert functions(results) == {"preprocess": (0, 15), "build_model": (0, 25), "compile_model": (0, 25),
                               "train": (5, 5), "network": (0, 30)}
    visible = [t for t in results["tests"] if t["visibility"] == "visible" and t["tags"] != ["train"]]
    assert visible and all("not implemented yet" in t["output"] for t in visible)
    assert "NotImplementedError in build_model at step 0" in training(results)["stopped"]


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda p: p.stem)
def test_a_mutant_loses_its_own_points_and_names_its_cause(graded, mutant):
    results = graded[0][f"mutants_{mutant.stem}"]
    assert_loses_its_own_points(results, mutant, FUNCTIONS)
    if "network" in header(mutant, "loses"):  # the run stopped where the mutant's code went wrong: its first step
        assert training(results)["steps_done"] == 0, training(results)


def test_check_predicts_grade(graded, checked):
    """Every public check scores the same in the student's self-check and in the grade."""
    assert len(checked) == len(STYLES) + len(MUTANTS)
    for student, own in checked.items():
        grades = {t["name"]: t["score"] for t in graded[0][student]["tests"] if t["visibility"] == "visible"}
        for test in own["tests"]:
            assert test["score"] == grades[test["name"]], f"{student}: {test['name']}"


@pytest.mark.parametrize("shortcut", SHORTCUTS, ids=lambda p: p.stem)
def test_a_shortcut_earns_nothing_for_the_network(graded, shortcut):
    results = graded[0][f"shortcuts_{shortcut.stem}"]
    assert functions(results)["network"] == (0, 30)
    run = training(results)
    assert not run["completed"] and run["steps_done"] <= 1, run
    assert "is not the Adam step on the grader's batch" in run["stopped"], run
    assert run["test_accuracy"] < 0.2  # the grader's initial weights, not the embedded ones
    for function in set(FUNCTIONS) - set(header(shortcut, "loses")):
        assert functions(results)[function][0] == functions(results)[function][1], function


def test_check_train_runs_the_schedule_without_the_test_set(tmp_path):
    proc = run_cli("check", REFERENCE, "--train", cwd=tmp_path, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Training check: train_on_batch on the grader's schedule" in proc.stdout
    assert "90% tier: likely reached" in proc.stdout and "validation accuracy: 9" in proc.stdout, proc.stdout
    assert "the public checks of preprocess, build_model, compile_model predict that part" in proc.stdout


def test_results_say_what_one_grade_costs(graded):
    """What one grade of a correct file cost (printed for docs/keras_mlp.md, not judged)."""
    results = graded[0]["styles_lesson"]
    print(json.dumps({k: results["extra_data"][k] for k in ("grader_cpu_seconds", "sandbox_cpu_seconds")}),
          results["execution_time"], training(results))
    assert training(results)["ms_per_step"] > 0
