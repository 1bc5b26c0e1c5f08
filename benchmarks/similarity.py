"""How long the copied-code check takes for a class of N; prints figures, asserts nothing.

    python benchmarks/similarity.py [--n 200 1000]

The class is drawn from the corpus in turn (the reference, the examples, the nine styles and
every one-bug mutant, which is the reference plus a bug: a class where many pairs are similar,
the worst case for writing side-by-side pages), each submission with its names disguised
differently so that no two are byte for byte the same.
"""
import argparse
import ast
import re
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from autograder import assignment, similarity  # noqa: E402
from kit import MUTANTS, REFERENCE, STYLES  # noqa: E402


def sources():
    found = [REFERENCE.read_text(), *(p.read_text() for p in (ROOT / "examples").glob("*.py"))]
    found += [p.read_text() for p in STYLES if p.suffix == ".py"]
    return found + [REFERENCE.read_text() + "\n\n" + p.read_text() for p in MUTANTS]


def disguise(source, n):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    for name in sorted(names):
        source = re.sub(rf"\b{re.escape(name)}\b", f"{name}_{n}", source)
    return source


def measure(n):
    drawn = sources()
    with tempfile.TemporaryDirectory() as folder:
        entries = []
        for i in range(n):
            path = Path(folder) / f"s{i:05d}.py"
            path.write_text(disguise(drawn[i % len(drawn)], i))
            entries.append((path.stem, path))
        start = time.perf_counter()
        copies = similarity.check(assignment.resolve(), entries, Path(folder) / "out", Console(quiet=True))
        seconds = time.perf_counter() - start
    pairs = n * (n - 1) // 2
    print(f"class of {n}: {seconds:.1f} s for {pairs:,} pairs ({1e6 * seconds / max(pairs, 1):.0f} us a pair), "
          f"{len(copies.pairs):,} pairs shown", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[200])
    for n in parser.parse_args().n:
        measure(n)


if __name__ == "__main__":
    main()
