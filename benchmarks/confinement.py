"""What each confinement level costs per submission, at every level this host offers; prints
figures, asserts nothing.

    python benchmarks/confinement.py [--starts 10] [--repeat 3]

For each level (capped with $AUTOGRADER_CONFINEMENT in a fresh process, so a level the host
does not offer is reported as such): the time to start a sandbox child and get its first
answer (median of --starts), and one honest file graded end to end with ``grade-one``
(median of --repeat: wall time, and the CPU time of the grader and its children).
The landlock level as root needs an interpreter every uid can read; where pyenv lives in
/root, run this under tests/unprivileged.py's ``reachable`` (see docs/security.md, "Security model").
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALICE = ROOT / "examples" / "alice.py"
LEVELS = ("full", "landlock", "basic")


def starts(n):
    """Seconds from a new sandbox to its first answer, n times."""
    sys.path.insert(0, str(ROOT))
    from autograder.definitions import Statement
    from autograder.sandbox.runner import Sandbox
    seconds = []
    for _ in range(n):
        begin = time.perf_counter()
        with Sandbox([Statement("x.py", 1, "def f(x):\n    return x\n")], "x") as sandbox:
            sandbox.call("f", 1)
        seconds.append(time.perf_counter() - begin)
    return seconds


def one_level(level, n_starts, repeat):
    sys.path.insert(0, str(ROOT))
    from autograder.sandbox import jail
    if jail.level() != level:
        return {"level": level, "available": False, "got": jail.describe(jail.level())}
    walls, cpus = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            begin = time.perf_counter()
            subprocess.run([sys.executable, "-m", "autograder", "grade-one", str(ALICE), "--out", out,
                            "--assignment", "mnist_mlp"], cwd=ROOT,
                           check=True, capture_output=True)
            walls.append(time.perf_counter() - begin)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            score = json.loads((Path(out) / "results.json").read_text())["score"]
    return {"level": level, "available": True, "start_s": statistics.median(starts(n_starts)),
            "grade_wall_s": statistics.median(walls), "grade_cpu_s": statistics.median(cpus), "score": score}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", choices=LEVELS, help=argparse.SUPPRESS)  # one level, in its own process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_level(args.one, args.starts, args.repeat)))
        return
    print(f"{'level':9} {'sandbox start (median)':>23} {'grade-one wall':>15} {'grade-one CPU':>14}")
    for level in LEVELS:
        proc = subprocess.run([sys.executable, __file__, "--one", level, "--starts", str(args.starts),
                               "--repeat", str(args.repeat)], capture_output=True, text=True,
                              env={**os.environ, "AUTOGRADER_CONFINEMENT": level})
        if proc.returncode:
            print(f"{level:9} failed: {proc.stderr.strip()[-300:]}")
            continue
        found = json.loads(proc.stdout)
        if not found["available"]:
            print(f"{level:9} not offered here (this host gives: {found['got']})")
            continue
        print(f"{level:9} {found['start_s'] * 1000:20.0f} ms {found['grade_wall_s']:13.2f} s {found['grade_cpu_s']:12.2f} s"
              f"   (score {found['score']:g})")


if __name__ == "__main__":
    main()
