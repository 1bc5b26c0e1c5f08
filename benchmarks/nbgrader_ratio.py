"""The same correct notebook graded by `nbgrader autograde` (the kit's sandbox inside nbgrader's pipeline) and by the kit's `grade`.

    python benchmarks/nbgrader_ratio.py [--repeat 3]

Builds a scratch nbgrader course exactly as tests/test_nbgrader.py does (its helpers are
reused), then times both whole processes, alternating, and prints the medians and their ratio.
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from course import create, nbgrader, submit  # noqa: E402
from test_nbgrader import _submission  # noqa: E402

import nbformat  # noqa: E402


def measure(repeat):
    with tempfile.TemporaryDirectory(prefix="nbgrader-ratio-") as tmp:
        course = create(Path(tmp) / "course")
        notebook = _submission("correct")
        submit(course, "correct", notebook)
        nbformat.write(notebook, Path(tmp) / "correct.ipynb")
        nb_s, kit_s = [], []
        for i in range(repeat):
            start = time.perf_counter()
            nbgrader(course, "autograde", "mnist_mlp", "--student=correct", "--force")
            nb_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "autograder", "grade", str(Path(tmp) / "correct.ipynb"),
                            "--out", str(Path(tmp) / f"kit{i}"), "--assignment", "mnist_mlp"], cwd=ROOT, check=True, capture_output=True)
            kit_s.append(time.perf_counter() - start)
    return statistics.median(nb_s), statistics.median(kit_s)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    nb, kit = measure(args.repeat)
    print(f"the same correct notebook: nbgrader autograde {nb:.1f} s, the kit's grade {kit:.1f} s "
          f"(medians of {args.repeat}): nbgrader/kit = {nb / kit:.1f}x")


if __name__ == "__main__":
    main()
