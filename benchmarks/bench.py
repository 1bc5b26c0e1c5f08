"""Speed and memory of the grader on this machine; prints figures, asserts nothing.

    python benchmarks/bench.py [--repeat 3] [--batch 40]

(1) end-to-end grade of the reference submission (median of --repeat runs);
(2) a batch of --batch mixed submissions (mutants and examples) with --jobs 1 and 2;
(3) peak RSS of the grader process and of one sandbox child.
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "solutions" / "mnist_mlp" / "mnist_mlp.py"


def grade(paths, out, jobs=1):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", *map(str, paths), "--out", str(out),
                    "--jobs", str(jobs)], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def mixed_batch(folder, size):
    """Mutants (reference + one bug) and the bundled examples, repeated up to ``size`` files."""
    sources = [(p.stem, REFERENCE.read_text() + "\n\n" + p.read_text())
               for p in sorted((ROOT / "tests" / "submissions" / "mutants").glob("*.py"))]
    sources += [(p.stem, p.read_text()) for p in sorted((ROOT / "examples").glob("*.py"))]
    sources.append(("reference", REFERENCE.read_text()))
    for i in range(size):
        stem, text = sources[i % len(sources)]
        (folder / f"s{i:02d}_{stem}.py").write_text(text)
    notebook = ROOT / "examples" / "bob.ipynb"
    (folder / f"s{size - 1:02d}_{sources[(size - 1) % len(sources)][0]}.py").unlink()
    shutil.copy(notebook, folder / f"s{size - 1:02d}_bob.ipynb")


def peaks(out):
    rows = [json.loads(p.read_text())["extra_data"] for p in Path(out).glob("*/results.json")]
    return (max(r.get("grader_peak_rss_mb", 0) for r in rows), max(r.get("sandbox_peak_rss_mb", 0) for r in rows))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=40)
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        times = [grade([REFERENCE], tmp / f"one{i}") for i in range(args.repeat)]
        grader_mb, child_mb = peaks(tmp / "one0")
        print(f"(1) grade the reference end to end: median {statistics.median(times):.1f} s "
              f"over {args.repeat} runs ({', '.join(f'{t:.1f}' for t in times)})")
        batch = tmp / "batch"
        batch.mkdir()
        mixed_batch(batch, args.batch)
        for jobs in (1, 2):
            seconds = grade([batch], tmp / f"batch{jobs}", jobs=jobs)
            g, c = peaks(tmp / f"batch{jobs}")
            print(f"(2) batch of {args.batch} with --jobs {jobs}: {seconds:.0f} s wall "
                  f"({seconds / args.batch:.1f} s per submission); peak RSS per worker: grader {g:.0f} MB, "
                  f"sandbox child {c:.0f} MB")
        print(f"(3) peak RSS grading the reference: grader {grader_mb:.0f} MB, sandbox child {child_mb:.0f} MB")


if __name__ == "__main__":
    main()
