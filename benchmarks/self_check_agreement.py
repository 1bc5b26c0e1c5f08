"""How well `check --train`'s validation accuracy predicts the grader's test accuracy.

Over the reference, the style zoo (examples/) and the mutants: each is trained by
`check --train` (validation accuracy, wall time) and graded (test accuracy); prints
one row per submission and the largest gap. Usage: .venv/bin/python benchmarks/self_check_agreement.py
"""
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from autograder import assignment as assignments  # noqa: E402
from autograder import training_check  # noqa: E402
from kit import REFERENCE, SUBMISSIONS, grade, materialize  # noqa: E402


def main():
    assignment = assignments.resolve("mnist_mlp")
    folder = Path(tempfile.mkdtemp(prefix="agreement-"))
    (folder / "reference.py").write_text(REFERENCE.read_text())
    for example in sorted(p for p in (ROOT / "examples").iterdir() if p.is_file()):  # mnist_mlp's; keras_mlp/ is not
        (folder / example.name).write_text(example.read_text())
    for snippet in sorted((SUBMISSIONS / "mutants").glob("*.py")):
        materialize(snippet, folder)
    graded = grade([folder], folder / "out")
    rows = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        start = time.monotonic()
        report = training_check.run(assignment, path)
        seconds = time.monotonic() - start
        test = graded[path.stem]["extra_data"].get("artifacts", {}).get("test_accuracy")
        rows.append({"submission": path.stem, "validation": report.accuracy, "test": test,
                     "seconds": round(seconds, 1), "stopped": report.stopped[:80],
                     "verdicts": [report.verdict(t) for t in report.tiers],
                     "tiers_earned": [t["status"] == "passed" for t in graded[path.stem]["tests"]
                                      if t["tags"] == ["network"]]})
        r = rows[-1]
        print(f"{r['submission']:36} val {r['validation']}"
              f"  test {r['test']}  {r['seconds']} s  {r['verdicts']} {r['tiers_earned']} {r['stopped']}", flush=True)
    gaps = [abs(r["validation"] - r["test"]) for r in rows if r["validation"] is not None and r["test"] is not None]
    print(json.dumps({"largest_gap": max(gaps, default=None), "mean_gap": sum(gaps) / len(gaps) if gaps else None,
                      "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
