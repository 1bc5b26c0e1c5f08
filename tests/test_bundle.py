"""The Gradescope bundle: what it holds, and a simulated Gradescope (gradescope_image.py: root
without CAP_SYS_ADMIN) grading a correct and a buggy submission, the buggy one also for a Korean
course. The hostile batch goes through the same simulated Gradescope in test_hostile.py."""
import importlib.metadata
import os
import zipfile

import pytest

import gradescope_image
from autograder import assignment as assignments
from autograder import data, i18n, report
from kit import ROOT, SUBMISSIONS, functions, run_cli

pytestmark = pytest.mark.slow
EXAMPLES = ROOT / "examples"


def _bundle(target, assignment_id):
    proc = run_cli("bundle", "gradescope", "--out", target, "--assignment", assignment_id)
    assert proc.returncode == 0, proc.stderr
    return target


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return _bundle(tmp_path_factory.mktemp("dist") / "autograder.zip", "mnist_mlp")


def test_bundle_contents(bundle):
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
        requirements = zf.read("requirements.txt").decode().split()
    assert {"setup.sh", "run_autograder", "autograder/gradescope.py", "autograder/cli.py",
            "assignments/mnist_mlp/assignment.toml", "assignments/mnist_mlp/harness.py",
            "assignments/mnist_mlp/tests/test_public.py", "solutions/mnist_mlp/mnist_mlp.py",
            "solutions/mnist_mlp/tests/test_hidden.py"} <= names
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert not any("secret" in n for n in names)  # there is no secret to ship: every training step is verified
    assert not any("__pycache__" in n or n.endswith(".npz") or n.startswith(("tests/", "examples/"))
                   for n in names)
    # The engine as the handout ships it, catalogues included: a Korean course grades there too.
    assert {f"autograder/locale/{lang}/LC_MESSAGES/autograder.mo" for lang in i18n.available() if lang != "en"} <= names
    pinned = dict(r.split("==") for r in requirements)
    assert set(pinned) == {"numpy", "pytest", "pytest-timeout", "nbformat", "jsonschema", "rich", "matplotlib",
                           "threadpoolctl", "copydetect", "landlockpy", "pyseccomp"}
    assert all(pinned[n] == importlib.metadata.version(n) for n in pinned)


def test_with_data_embeds_the_verified_copy(tmp_path):
    target = tmp_path / "offline.zip"
    proc = run_cli("bundle", "gradescope", "--out", target, "--with-data", "--assignment", "mnist_mlp")
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(target) as zf:
        embedded = zf.getinfo("source_data/mnist.npz").file_size
    spec = assignments.resolve("mnist_mlp").config["dataset"]
    assert embedded == os.path.getsize(data.locate(spec))


@pytest.fixture(scope="module")
def gradescope(bundle):
    """An English and a Korean course's image; correct, buggy and Korean-buggy submissions, two at a time."""
    with gradescope_image.workspace() as base:
        english = gradescope_image.build(bundle, base / "en")
        korean = gradescope_image.build(bundle, base / "ko", language="ko")
        runs = gradescope_image.grade({"correct": (english, EXAMPLES / "alice.py"),
                                       "buggy": (english, EXAMPLES / "carol.py"),
                                       "korean": (korean, EXAMPLES / "carol.py")}, base / "runs")
        yield ({kind: results for kind, (results, _log) in runs.items()}, english,
               {kind: log for kind, (_results, log) in runs.items()})


@pytest.mark.parametrize("kind", ["correct", "buggy", "korean"])
def test_results_are_valid_gradescope_json(gradescope, kind):
    report.validate(gradescope[0][kind])


def test_scores(gradescope):
    results, _, _ = gradescope
    assert results["correct"]["score"] == 100
    assert results["buggy"]["score"] == results["korean"]["score"] == 47


def test_a_container_without_namespaces_gets_the_landlock_level(gradescope):
    results, _, logs = gradescope
    assert {r["extra_data"]["confinement"] for r in results.values()} == {"landlock"}
    assert "sandbox confinement: landlock" in logs["correct"]  # run_autograder's line for the staff


def test_a_korean_course_gets_korean_feedback(gradescope):
    results, _, _ = gradescope
    failed = [t["output"] for t in results["korean"]["tests"] if t["status"] == "failed" and t["visibility"] == "visible"]
    english = [t["output"] for t in results["buggy"]["tests"] if t["status"] == "failed" and t["visibility"] == "visible"]
    assert failed and len(failed) == len(english) and failed != english
    assert all(any("\uac00" <= ch <= "\ud7a3" for ch in text) for text in failed)  # Hangul in every failure
    assert results["korean"]["extra_data"]["status"] == "graded"


def test_hidden_checks_are_published_later_without_details(gradescope):
    results, _, _ = gradescope
    hidden = [t for t in results["buggy"]["tests"] if t["visibility"] == "after_published"]
    assert hidden and all(t["output"] in ("Hidden check: passed.", "Hidden check: failed. Its inputs and details are not shown.") for t in hidden)


def test_the_bundled_engine_did_the_grading(gradescope):
    _, source, _ = gradescope
    cache = source / "source_data" / "cache"
    assert list(cache.glob("mnist_npz-*/READY"))  # the verified copy, uncompressed for the trusted side
    assert list(cache.glob("mnist_mlp-reference-curve-*.json"))
    assert not list(source.glob(".work-*"))  # the per-submission work folders are gone


def test_what_student_code_must_not_read_is_root_only(gradescope):
    _, source, _ = gradescope
    private = [source / "solutions", source / "source_data" / "mnist.npz", source / "setup.sh"]
    shared = [source / "autograder", source / "assignments"]
    assert all(p.stat().st_mode & 0o077 == 0 for p in private)
    assert all(p.stat().st_mode & 0o005 == 0o005 for p in shared)


def test_a_keras_bundle_installs_tensorflow_and_grades_the_lesson(tmp_path):
    """keras_mlp's bundle: its requirements pinned beside the kit's, the data's variable named in
    setup.sh from its assignment.toml, and a submission graded in the simulated image."""
    bundle = _bundle(tmp_path / "keras.zip", "keras_mlp")
    with zipfile.ZipFile(bundle) as zf:
        names, setup = set(zf.namelist()), zf.read("setup.sh").decode()
        pinned = dict(r.split("==") for r in zf.read("requirements.txt").decode().split())
    assert "solutions/keras_mlp/tests/test_hidden.py" in names and not any("mnist_mlp/" in n for n in names)
    assert pinned["tensorflow-cpu"] == importlib.metadata.version("tensorflow-cpu")
    assert "# The data: $MNIST_NPZ if set" in setup
    # The untouched release, and the lesson's code, side by side at the container's landlock level,
    # where TensorFlow aborted on every operation until the child could read its own /proc.
    with gradescope_image.workspace() as base:
        source = gradescope_image.build(bundle, base)
        runs = gradescope_image.grade({"stubs": (source, ROOT / "assignments" / "keras_mlp" / "keras_mlp.py"),
                                       "lesson": (source, SUBMISSIONS / "keras_mlp" / "styles" / "lesson.py")}, base)
    lesson = runs["lesson"][0]
    assert lesson["extra_data"]["confinement"] == "landlock" and lesson["score"] == 100, functions(lesson)
    results = runs["stubs"][0]
    report.validate(results)
    assert functions(results) == {"preprocess": (0, 15), "build_model": (0, 25), "compile_model": (0, 25),
                                  "train": (5, 5), "network": (0, 30)}
    assert all("not implemented yet" in t["output"] for t in results["tests"]
               if t["visibility"] == "visible" and t["tags"] != ["train"])
