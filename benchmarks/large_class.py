"""A large class, graded on this machine: throughput, peak memory of every process, summary.html.

    python benchmarks/large_class.py [--n 1000] [--jobs 2] [--scheduler tcp://HOST:8786]

The class is synthesised from the kit's corpus, in turn: the reference, the lesson-style
examples (one of them a notebook), the untouched release (stubs), an empty file, every
one-bug mutant and, when the jail is available, every hostile submission. Prints figures,
asserts nothing; the last line projects the throughput of a Dask cluster from them.
"""
import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from autograder.sandbox import jail  # noqa: E402

REFERENCE = ROOT / "solutions" / "mnist_mlp" / "mnist_mlp.py"
CORPUS = ROOT / "tests" / "submissions"


def sources():
    """(kind, name, suffix, text) of every submission the class is drawn from."""
    found = [("correct", "reference", ".py", REFERENCE.read_text()),
             ("correct", "alice", ".py", (ROOT / "examples" / "alice.py").read_text()),
             ("notebook", "bob", ".ipynb", (ROOT / "examples" / "bob.ipynb").read_text()),
             ("buggy", "carol", ".py", (ROOT / "examples" / "carol.py").read_text()),
             ("buggy", "stubs", ".py", (ROOT / "assignments" / "mnist_mlp" / "mnist_mlp.py").read_text()),
             ("buggy", "empty", ".py", "")]
    kinds = [("buggy", "mutants")] + ([("hostile", "hostile")] if jail.level() == "full" else [])
    for kind, folder in kinds:
        found += [(kind, p.stem, ".py", REFERENCE.read_text() + "\n\n" + p.read_text())
                  for p in sorted((CORPUS / folder).glob("*.py"))]
    return found


def synthesise(folder, n):
    drawn = sources()
    counts = defaultdict(int)
    for i in range(n):
        kind, name, suffix, text = drawn[i % len(drawn)]
        (folder / f"s{i:05d}_{name}{suffix}").write_text(text)
        counts[kind] += 1
    return dict(counts)


def role(cmdline):
    if b"autograder\0grade\0" in cmdline:
        return "batch"
    if b"autograder\0worker\0" in cmdline:
        return "worker or grader"  # a grader is a fork of its worker: same command line
    if b"unshare\0" in cmdline or b"-I\0-c\0" in cmdline:
        return "sandbox"
    return "other"


class PeakMemory:
    """Samples VmHWM (peak RSS) of every process below the batch; the largest seen per role."""

    def __init__(self, root_pid):
        self.root, self.peaks, self.done = root_pid, defaultdict(float), threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _tree(self):
        pids, frontier = [self.root], [self.root]
        while frontier:
            frontier = [c for p in frontier for c in jail.children_of(p)]
            pids += frontier
        return pids

    def _sample(self):
        while not self.done.is_set():
            for pid in self._tree():
                try:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        mb = int(line.split()[1]) / 1024
                        self.peaks[role(cmdline)] = max(self.peaks[role(cmdline)], mb)
            time.sleep(0.2)

    def stop(self):
        self.done.set()
        self.thread.join()
        return dict(self.peaks)


def browser_load_seconds(page):
    """Wall time for headless Chromium to load and lay out the page, or None without a browser."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not browser:
        return None
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()]
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "about:blank"],
                   capture_output=True, timeout=120)  # start-up alone, to subtract
    start = time.perf_counter()
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "about:blank"],
                   capture_output=True, timeout=120)
    blank = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, timeout=300)
    return max(time.perf_counter() - start - blank, 0.0)


def measure(n, jobs, scheduler=None, keep=None):
    with tempfile.TemporaryDirectory(prefix="large-class-") as tmp:
        folder, out = Path(tmp) / "class", Path(keep or Path(tmp) / "out")
        folder.mkdir()
        counts = synthesise(folder, n)
        command = [sys.executable, "-m", "autograder", "grade", str(folder), "--out", str(out), "--jobs", str(jobs),
                   "--assignment", "mnist_mlp"]
        if scheduler:
            command += ["--scheduler", scheduler]
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        memory = PeakMemory(proc.pid)
        _, err = proc.communicate()
        wall = time.perf_counter() - start
        peaks = memory.stop()
        if proc.returncode:
            raise SystemExit(err.decode()[-2000:])
        rows = [json.loads(p.read_text()) for p in out.glob("*/results.json")]
        page = out / "summary.html"
        return {"n": n, "jobs": jobs, "counts": counts, "wall_s": wall, "per_submission_s": wall / n,
                "throughput_per_hour": 3600 * n / wall, "peak_rss_mb": peaks,
                "grader_seconds": statistics.median(r["execution_time"] for r in rows),
                "summary_mb": page.stat().st_size / 1e6, "summary_load_s": browser_load_seconds(page)}


def projection(figures, workers=(10, 50, 200, 1000), scheduler_ms=5.0):
    """Throughput of N single-core Dask workers from the measured core-seconds per submission.

    Each worker grades one at a time at the measured speed; the instructor's machine writes
    each result (measured here as part of the batch) and Dask's scheduler spends a few ms per
    task (its documented overhead: about 1 ms, taken as ``scheduler_ms`` to be safe).
    """
    core_seconds = figures["wall_s"] * figures["jobs"] / figures["n"]
    ceiling = 3600 / (scheduler_ms / 1000)
    return core_seconds, {w: min(3600 * w / core_seconds, ceiling) for w in workers}


def report(f):
    print(f"large class: {f['n']} submissions ({', '.join(f'{v} {k}' for k, v in f['counts'].items())}), "
          f"--jobs {f['jobs']}: {f['wall_s']:.0f} s wall, {f['per_submission_s']:.2f} s per submission, "
          f"{f['throughput_per_hour']:.0f} per hour; median grader time {f['grader_seconds']:.1f} s")
    print("  peak RSS per process: " + ", ".join(f"{k} {v:.0f} MB" for k, v in sorted(f["peak_rss_mb"].items())))
    load = f["summary_load_s"]
    print(f"  summary.html: {f['summary_mb']:.2f} MB, "
          + (f"{load:.2f} s to load in headless Chromium" if load is not None else "no browser here to time it"))
    core_seconds, projected = projection(f)
    print(f"  projected Dask throughput at {core_seconds:.1f} core-s per submission: "
          + ", ".join(f"{w} workers {t:,.0f}/h" for w, t in projected.items())
          + f"; 30,000 submissions on 200 workers: {30000 / projected[200] * 60:.0f} min")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000, help="class size (default 1000)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--scheduler", help="grade through this Dask scheduler instead")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    figures = measure(args.n, args.jobs, args.scheduler)
    report(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
