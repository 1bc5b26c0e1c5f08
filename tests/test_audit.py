"""The rubric audit: the mutants it makes, their ids, and a small real audit of mnist_mlp.

A fuller audit, with sampling and survivors, runs on the guide's tiny assignment
(tests/test_guide.py); `make audit` runs the whole of every assignment.
"""
import ast
import difflib
import json
import re
import tomllib

import pytest

from autograder import assignment as assignments
from autograder import audit, mutation
from kit import ROOT, run_cli

MNIST = assignments.resolve("mnist_mlp")
SOURCE = MNIST.reference_path.read_text()
KILLABLE = "softmax-axis-9d6379b9"  # keepdims dropped from the max: a (N, K) batch minus (N,) fails at once
EQUIVALENT = "sigmoid-comparison-69815e75"  # x >= 0 to x > 0: both branches give 0.5 at 0


@pytest.fixture(scope="module")
def mutants():
    return mutation.mutants(SOURCE, MNIST.graded)


def _by_function(found):
    return {f: {m.id for m in found if m.function == f} for f in MNIST.graded}


def test_ids_are_stable_when_the_rest_of_the_file_changes(mutants):
    assert [m.id for m in mutation.mutants(SOURCE, MNIST.graded)] == [m.id for m in mutants]
    given = "import numpy as np\n\n\ndef helper(v):\n    \"\"\"Given code added above everything.\"\"\"\n    return v\n"
    edited = SOURCE.replace("import numpy as np\n", given, 1).replace(
        "    e = np.exp(shifted)\n", "    e = np.exp(shifted + 0.0)\n", 1)
    assert edited.count("def helper") == 1 and "np.exp(shifted + 0.0)" in edited
    before, after = _by_function(mutants), _by_function(mutation.mutants(edited, MNIST.graded))
    assert all(before[f] == after[f] for f in MNIST.graded if f != "softmax")
    changed_line = {m.id for m in mutants if m.function == "softmax" and m.line == SOURCE[:SOURCE.index(
        "    e = np.exp(shifted)")].count("\n") + 1}
    assert changed_line and not changed_line & after["softmax"]
    assert before["softmax"] - changed_line <= after["softmax"]


def test_each_mutant_is_one_change_inside_a_solution_block(mutants):
    regions = mutation.solution_regions(SOURCE, MNIST.graded)
    assert set(regions) == set(MNIST.graded)
    original = SOURCE.splitlines()
    seen = set()
    for m in mutants:
        tree = ast.parse(m.source)
        function = next(n for n in tree.body if getattr(n, "name", None) == m.function)
        key = mutation.canonical(function)
        assert key not in seen, f"{m.id} duplicates another mutant"
        seen.add(key)
        changed = [i + 1 for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(None, original, m.source.splitlines())
                   .get_opcodes() if tag != "equal" for i in range(i1, max(i2, i1 + 1))]
        assert changed and all(any(a <= n <= b for a, b in regions[m.function]) for n in changed), m.id
        assert m.diff.count("\n@@ ") == 1 and m.id.startswith(f"{m.function}-{m.operator}-")
    assert len({m.id for m in mutants}) == len(mutants) > 150


@pytest.mark.parametrize("change", [
    "np.max(x, axis=-1, keepdims=True)  ->  np.max(x, axis=-1)",  # keepdims dropped
    "np.sum(dout, axis=0)  ->  np.sum(dout, axis=1)",  # the wrong axis
    "W.T  ->  W",  # a transpose dropped
    "X.T @ dout  ->  dout @ X.T",  # operands swapped
    "np.mean(np.log(picked + 1e-12))  ->  np.sum(np.log(picked + 1e-12))",  # sum for mean
    "(probs - one_hot(Y, probs.shape[1])) / n  ->  probs - one_hot(Y, probs.shape[1])",  # a term dropped
    "1e-12  ->  0.0",  # an epsilon left out
    "dX, dW, db  ->  (dW, dX, db)",  # a wrong element returned
    "np.arange(labels.size)  ->  np.arange(labels.size - 1)",  # off by one
    "x >= 0  ->  x > 0",  # a boundary
    "n = X.shape[0]  ->  pass",  # a statement left out
])
def test_the_operators_make_the_faults_students_make(mutants, change):
    assert change in {m.change for m in mutants}


def test_every_listed_equivalent_mutant_exists_and_says_why():
    for assignment_id in assignments.available():
        assignment = assignments.resolve(assignment_id)
        if not assignment.has_solutions:
            continue
        path = assignment.solution_dir / audit.EQUIVALENT_FILE
        if not path.is_file():
            continue
        listed = tomllib.loads(path.read_text())
        made = {m.id: m for m in mutation.mutants(assignment.reference_path.read_text(), assignment.graded)}
        assert set(listed) <= set(made), f"{assignment_id}: listed but not generated: {set(listed) - set(made)}"
        for mutant_id, entry in listed.items():  # the list says what it leaves out, and why
            assert entry["change"] == made[mutant_id].change and len(entry["reason"]) > 30, mutant_id


@pytest.mark.slow
def test_a_small_audit_of_mnist_mlp(tmp_path):
    proc = run_cli("audit", "mnist_mlp", "--only", f"{KILLABLE},{EQUIVALENT}", "--out", tmp_path, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "report.json").read_text())
    result = {m["id"]: m for m in summary["mutants"]}
    killed = result[KILLABLE]
    assert killed["status"] == "killed" and any(c.startswith("softmax: ") for c in killed["killed_by"]), killed
    assert not any(c.startswith(("sigmoid", "one_hot", "cross_entropy", "affine")) for c in killed["killed_by"])
    equivalent = result[EQUIVALENT]
    assert equivalent["status"] == "equivalent" and equivalent["reason"] == audit.equivalent_list(MNIST)[EQUIVALENT]
    assert (summary["killed"], summary["survived"], summary["equivalent"], summary["score"]) == (1, 0, 1, 1.0)
    assert summary["only"] == [KILLABLE, EQUIVALENT] and summary["generated"] > 150
    assert re.search(r"mutation score 100\.0%: 1 killed of 1 non-equivalent mutants \(1 equivalent\)", proc.stdout)
    report = (tmp_path / "report.md").read_text()
    assert f"`{EQUIVALENT}`" in report.split("## Equivalent mutants")[1]
    # each mutant was graded by the batch, as a class of files: their grades are beside the report
    assert (tmp_path / "grades" / KILLABLE / "results.json").is_file() and (tmp_path / "grades" / "grades.csv").is_file()
