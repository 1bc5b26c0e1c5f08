"""Speed and memory of the grader on this machine; prints figures, asserts nothing.

    python benchmarks/bench.py [--repeat 3] [--batch 40] [--skip-keras]

(1) end-to-end grade of the reference submission (median of --repeat runs);
(2) a batch of --batch mixed submissions (mutants and examples) with --jobs 1 and 2;
(3) time to 97% test accuracy: the NumPy reference vs the lesson's Keras model, measured
    in the same run by benchmarks/keras_baseline.py (median of --repeat runs), as a ratio;
(4) peak RSS of the grader process and of one sandbox child;
(5) where the seconds of one grade go (benchmarks/profile_grade.py);
(6) a large class of --n synthesised submissions, --jobs 2: throughput, peak memory of every
    process, summary.html size and load time (benchmarks/large_class.py);
(7) the same class through Dask on a LocalCluster of 2 workers, and the projection for N workers;
(8) the same correct notebook under `nbgrader autograde` and the kit's `grade` (benchmarks/nbgrader_ratio.py);
(9) what verifying every training step costs, from the runs of (1): the grader's CPU time in
    verify_step, per step and as a share of the submission's grading CPU time (grader and sandbox).
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

import large_class

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "solutions" / "mnist_mlp" / "mnist_mlp.py"


def grade(paths, out, jobs=1):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", *map(str, paths), "--out", str(out),
                    "--jobs", str(jobs), "--assignment", "mnist_mlp"], cwd=ROOT, check=True, capture_output=True)
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


def verification_cost(outs):
    """(9) from the results of grading the reference: verify_step's share of the grading CPU time."""
    rows = [json.loads((out / REFERENCE.stem / "results.json").read_text())["extra_data"] for out in outs]
    steps = [r["artifacts"]["training"] for r in rows]
    verify = statistics.median(t["verify_ms_per_step"] for t in steps)
    child = statistics.median(t["ms_per_step"] for t in steps)
    total = statistics.median(r["grader_cpu_seconds"] + r["sandbox_cpu_seconds"] for r in rows)
    verified = verify / 1000 * steps[0]["steps"]
    return (f"(9) verifying every training step: {verify:.2f} ms of the grader's CPU per step (a step of the "
            f"reference takes {child:.2f} ms in the sandbox), {verified:.1f} s per submission, "
            f"{100 * verified / (total - verified):.0f}% on top of the other {total - verified:.1f} s of grading "
            f"CPU time (grader and sandbox; medians of {len(rows)} runs)")


def keras_vs_numpy(tmp, repeat):
    ratios, numpy_s, keras_s = [], [], []
    for i in range(repeat):
        out = tmp / f"baseline{i}.json"
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "keras_baseline.py"), "--json", str(out)],
                       cwd=ROOT, check=True, capture_output=True)
        figures = json.loads(out.read_text())
        n, k = figures["numpy"]["seconds_to_target"], figures["keras"]["seconds_to_target"]
        if n and k:
            numpy_s.append(n)
            keras_s.append(k)
            ratios.append(k / n)
    if not ratios:
        return "(3) a model did not reach 97%; see `python benchmarks/keras_baseline.py`"
    return (f"(3) time to 97% test accuracy: NumPy reference {statistics.median(numpy_s):.1f} s, "
            f"Keras {statistics.median(keras_s):.1f} s: Keras/NumPy = {statistics.median(ratios):.1f}x "
            f"(median of {len(ratios)} runs: {', '.join(f'{r:.1f}' for r in ratios)})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--skip-keras", action="store_true", help="skip (3): it takes a minute per run")
    parser.add_argument("--n", type=int, default=1000, help="size of the large class of (6); 0 skips (6) and (7)")
    parser.add_argument("--dask-n", type=int, help="size of the class graded through Dask in (7) (default: --n)")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        times = [grade([REFERENCE], tmp / f"one{i}") for i in range(args.repeat)]
        grader_mb, child_mb = peaks(tmp / "one0")
        print(f"(1) grade the reference end to end: median {statistics.median(times):.1f} s "
              f"over {args.repeat} runs ({', '.join(f'{t:.1f}' for t in times)})")
        print(verification_cost([tmp / f"one{i}" for i in range(args.repeat)]))
        batch = tmp / "batch"
        batch.mkdir()
        mixed_batch(batch, args.batch)
        for jobs in (1, 2):
            seconds = grade([batch], tmp / f"batch{jobs}", jobs=jobs)
            g, c = peaks(tmp / f"batch{jobs}")
            print(f"(2) batch of {args.batch} with --jobs {jobs}: {seconds:.0f} s wall "
                  f"({seconds / args.batch:.1f} s per submission); peak RSS per worker: grader {g:.0f} MB, "
                  f"sandbox child {c:.0f} MB")
        if not args.skip_keras:
            print(keras_vs_numpy(tmp, args.repeat))
        print(f"(4) peak RSS grading the reference: grader {grader_mb:.0f} MB, sandbox child {child_mb:.0f} MB")
    print("(5) " + subprocess.run([sys.executable, str(ROOT / "benchmarks" / "profile_grade.py")], cwd=ROOT,
                                  check=True, capture_output=True, text=True).stdout.rstrip())
    print("(8) " + subprocess.run([sys.executable, str(ROOT / "benchmarks" / "nbgrader_ratio.py"), "--repeat",
                                   str(args.repeat)], cwd=ROOT, check=True, capture_output=True, text=True).stdout.rstrip())
    if not args.n:
        return
    print("(6) ", end="")
    large_class.report(large_class.measure(args.n, jobs=2))
    try:
        from distributed import LocalCluster
    except ImportError:
        print("(7) Dask is not installed: pip install '.[dask]'")
        return
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        print("(7) through Dask, LocalCluster of 2 workers: ", end="")
        large_class.report(large_class.measure(args.dask_n or args.n, jobs=2, scheduler=cluster.scheduler_address))


if __name__ == "__main__":
    main()
