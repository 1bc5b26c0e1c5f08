"""The Gradescope bundle: what it holds, and a simulated Gradescope run of a correct, a buggy and a
hostile submission."""
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from autograder import assignment as assignments
from autograder import data, report
from kit import GRADED, ROOT, SUBMISSIONS, functions, materialize, run_cli

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
    pinned = dict(r.split("==") for r in requirements)
    assert set(pinned) == {"numpy", "pytest", "pytest-timeout", "nbformat", "jsonschema", "rich", "matplotlib",
                           "threadpoolctl"}
    assert all(pinned[n] == importlib.metadata.version(n) for n in pinned)


def test_with_data_embeds_the_verified_copy(tmp_path):
    target = tmp_path / "offline.zip"
    proc = run_cli("bundle", "gradescope", "--out", target, "--with-data", "--assignment", "mnist_mlp")
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(target) as zf:
        embedded = zf.getinfo("source_data/mnist.npz").file_size
    spec = assignments.resolve("mnist_mlp").config["dataset"]
    assert embedded == os.path.getsize(data.locate(spec))


def _unzip_like_gradescope(bundle, source):
    with zipfile.ZipFile(bundle) as zf:
        for info in zf.infolist():
            zf.extract(info, source)
            os.chmod(source / info.filename, (info.external_attr >> 16) & 0o777 or 0o644)


def _gradescope(bundle, base, submissions, module):
    """One image (setup.sh ran once), ``submissions`` ({kind: path}) graded by run_autograder side by
    side, each as ``module``.py; (results by kind, the image's source folder)."""
    source = base / "image" / "autograder" / "source"
    source.mkdir(parents=True)
    _unzip_like_gradescope(bundle, source)
    env = {**os.environ, "AUTOGRADER_PYTHON": sys.executable}  # the venv has the requirements already
    setup = subprocess.run([str(source / "setup.sh")], env=env, capture_output=True, text=True, timeout=300)
    assert setup.returncode == 0, setup.stderr
    assert (source / "source_data" / "mnist.npz").is_file()  # the data step ran (from $MNIST_NPZ)
    runs = {}
    for kind, path in submissions.items():
        root = base / kind
        (root / "autograder" / "submission").mkdir(parents=True)
        (root / "autograder" / "source").symlink_to(source)
        shutil.copy(path, root / "autograder" / "submission" / f"{module}.py")
        env = {k: v for k, v in os.environ.items() if k != "MNIST_NPZ"}  # graded from the image's copy
        runs[kind] = subprocess.Popen([str(source / "run_autograder")], env={**env, "AUTOGRADER_ROOT": str(root)},
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = {}
    for kind, proc in runs.items():
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        results[kind] = json.loads((base / kind / "autograder" / "results" / "results.json").read_text())
    return results, source


@pytest.fixture(scope="module")
def gradescope(bundle, tmp_path_factory):
    base = tmp_path_factory.mktemp("gradescope")
    hostile = materialize(SUBMISSIONS / "hostile" / "os_exit.py", base)
    return _gradescope(bundle, base, {"correct": EXAMPLES / "alice.py", "buggy": EXAMPLES / "carol.py",
                                      "hostile": hostile}, "mnist_mlp")


@pytest.mark.parametrize("kind", ["correct", "buggy", "hostile"])
def test_results_are_valid_gradescope_json(gradescope, kind):
    report.validate(gradescope[0][kind])


def test_scores(gradescope):
    results, _ = gradescope
    assert results["correct"]["score"] == 100
    assert results["buggy"]["score"] == 47
    points = functions(results["hostile"])
    assert points["softmax"][0] == 0  # it kills its own interpreter, and only that is lost
    assert all(points[f][0] == points[f][1] for f in GRADED if f != "softmax")


def test_hidden_checks_are_published_later_without_details(gradescope):
    results, _ = gradescope
    hidden = [t for t in results["buggy"]["tests"] if t["visibility"] == "after_published"]
    assert hidden and all(t["output"] in ("Hidden check: passed.", "Hidden check: failed. Its inputs and details are not shown.") for t in hidden)


def test_the_bundled_engine_did_the_grading(gradescope):
    _, source = gradescope
    cache = source / "source_data" / "cache"
    assert list(cache.glob("mnist_npz-*/READY"))  # the verified copy, uncompressed for the trusted side
    assert list(cache.glob("mnist_mlp-reference-curve-*.json"))
    assert not list(source.glob(".work-*"))  # the per-submission work folders are gone


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
    # The untouched release: TensorFlow imports in every sandbox process of the image, and the run
    # stops at once (a correct file's full marks are tests/test_keras_corpus.py's).
    results, _ = _gradescope(bundle, tmp_path, {"stubs": ROOT / "assignments" / "keras_mlp" / "keras_mlp.py"},
                             "keras_mlp")
    report.validate(results["stubs"])
    assert functions(results["stubs"]) == {"preprocess": (0, 15), "build_model": (0, 25), "compile_model": (0, 25),
                                           "train": (5, 5), "network": (0, 30)}
    assert all("not implemented yet" in t["output"] for t in results["stubs"]["tests"]
               if t["visibility"] == "visible" and t["tags"] != ["train"])
