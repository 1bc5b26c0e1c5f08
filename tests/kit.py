"""Shared helpers for the kit's own tests: build submissions, run the real CLI, read results."""
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = ROOT / "tests" / "submissions"
SHORTCUTS = SUBMISSIONS / "shortcuts"
REFERENCE = ROOT / "solutions" / "mnist_mlp" / "mnist_mlp.py"
RELEASE = ROOT / "assignments" / "mnist_mlp" / "mnist_mlp.py"
GRADED = ["sigmoid", "softmax", "one_hot", "cross_entropy_error", "affine_layer_backward", "train_step"]
MUTANTS = sorted((SUBMISSIONS / "mutants").glob("*.py"))
# The lesson's own code is a style too; it lives with the assignment (the similarity check's boilerplate).
LESSON = ROOT / "solutions" / "mnist_mlp" / "lesson.py"
STYLES = sorted([*(p for p in (SUBMISSIONS / "styles").iterdir() if p.suffix in (".py", ".ipynb")), LESSON])


def header(path, key):
    """The names after ``# key:`` in a corpus file's header (empty list if none)."""
    for line in Path(path).read_text().splitlines():
        if line.startswith(f"# {key}:"):
            return [n.strip() for n in line.split(":", 1)[1].split(",") if n.strip()]
    raise AssertionError(f"{path} has no '# {key}:' line")


def base(snippet):
    """What a corpus file is written on top of: the reference, or the release's stubs (``# base: stub``)."""
    stub = any(line.strip() == "# base: stub" for line in Path(snippet).read_text().splitlines())
    return (RELEASE if stub else REFERENCE).read_text()


def embedded_weights_prelude():
    """Code that defines ``embedded_weights()``: a network trained elsewhere on real MNIST, pasted in."""
    blob = (SHORTCUTS / "real_mnist_weights.b64").read_text().strip()
    return (SHORTCUTS / "prelude.py").read_text().replace("@REAL_MNIST_WEIGHTS@", blob)


def materialize(snippet, folder, reference=None, target=None):
    """Base + snippet: a later def overrides the base's (``reference``, else ``base(snippet)``), so
    the bug is the snippet's. A snippet that calls ``embedded_weights()`` gets the prelude that
    defines it. Written to ``target`` (default: <folder>/<kind>_<name>.py)."""
    target = Path(target or Path(folder) / f"{snippet.parent.name}_{snippet.stem}.py")
    text = snippet.read_text()
    prelude = [embedded_weights_prelude()] if "embedded_weights(" in text else []
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n\n".join([reference.read_text() if reference else base(snippet), *prelude, text]))
    return target


def run_cli(*args, cwd=ROOT, timeout=1200):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def grade(paths, out, jobs=2, assignment="mnist_mlp"):
    """``grade`` of ``paths`` for ``assignment`` (None: each submission's file names its own)."""
    named = ["--assignment", assignment] if assignment else []
    proc = run_cli("grade", *paths, "--out", out, "--jobs", jobs, *named)
    assert proc.returncode == 0, proc.stderr
    return {p.name: json.loads((p / "results.json").read_text())
            for p in Path(out).iterdir() if (p / "results.json").is_file()}


def self_check(path, out, assignment="mnist_mlp"):
    """What a student sees: ``python -m autograder check`` on one file, as results.json (``assignment``
    None: the file names its own)."""
    proc = run_cli("check", path, "--json", out, *(["--assignment", assignment] if assignment else []))
    assert Path(out).is_file(), proc.stderr
    return json.loads(Path(out).read_text())


def assert_loses_its_own_points(results, mutant, graded):
    """A one-bug submission loses points in the functions its ``# loses:`` header names and in no
    other of ``graded``, and a failed check of one of them names its ``# cause:``."""
    loses = header(mutant, "loses")
    points = functions(results)
    for function in graded:
        got, most = points[function]
        if function in loses:
            assert got < most, f"{function} should lose points"
        else:
            assert got == most, f"{function} should keep its points: {failed_outputs(results, function)}"
    cause = ", ".join(header(mutant, "cause"))
    outputs = [o for f in loses for o in failed_outputs(results, f)]
    assert any("Likely cause: " in o and cause in o.split("Likely cause: ", 1)[1] for o in outputs), outputs


def functions(results):
    return {f: tuple(v) for f, v in results["extra_data"]["functions"].items()}


def failed_outputs(results, function):
    return [t["output"] for t in results["tests"] if t["tags"] == [function] and t["status"] == "failed"]


@pytest.fixture(scope="session")
def corpus_folder(tmp_path_factory):
    """The reference, the lesson-style example, the untouched release, the style zoo and every mutant."""
    folder = tmp_path_factory.mktemp("corpus")
    for snippet in MUTANTS:
        materialize(snippet, folder)
    for style in STYLES:
        (folder / f"styles_{style.name}").write_bytes(style.read_bytes())
    (folder / "reference.py").write_text(REFERENCE.read_text())
    (folder / "stubs.py").write_text(RELEASE.read_text())
    (folder / "alice.py").write_text((ROOT / "examples" / "alice.py").read_text())
    (folder / "alice_again.py").write_text((ROOT / "examples" / "alice.py").read_text())
    # A buggy file graded twice as well: determinism is more than two full marks.
    (folder / "mutants_cross_entropy_sum_again.py").write_text((folder / "mutants_cross_entropy_sum.py").read_text())
    return folder


@pytest.fixture(scope="session")
def corpus_grades(corpus_folder, tmp_path_factory):
    """One real batch over the whole corpus: student id -> results.json."""
    return grade([corpus_folder], tmp_path_factory.mktemp("corpus_out"))


@pytest.fixture(scope="session")
def corpus_checks(corpus_folder, tmp_path_factory):
    """Every corpus file's self-check (public checks, the student's own helpers): student id -> results."""
    out = tmp_path_factory.mktemp("corpus_checks")
    files = sorted(p for p in corpus_folder.iterdir() if not p.stem.endswith("_again"))
    with ThreadPoolExecutor(2) as pool:  # two cores: as many self-checks at a time
        results = pool.map(lambda p: self_check(p, out / f"{p.stem}.json"), files)
        return dict(zip((p.stem for p in files), results))


def descendants(pid):
    """Every process below ``pid`` (its workers, their graders, the graders' sandboxes)."""
    from autograder.sandbox import jail
    found, frontier = [], [pid]
    while frontier:
        children = [c for p in frontier for c in jail.children_of(p)]
        found += children
        frontier = children
    return found


def wait_for_sandbox(pid, timeout=120):
    """Wait until a sandbox child runs below ``pid`` (a grade is under way there); its pid."""
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in descendants(pid):
            try:
                with open(f"/proc/{child}/cmdline", "rb") as f:
                    if b"autograder.sandbox.child" in f.read():
                        return child
            except OSError:
                continue
        time.sleep(0.05)
    raise AssertionError(f"no sandbox started below process {pid} within {timeout} s")
