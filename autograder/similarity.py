"""Copied code, flagged for a human: pairs of submissions that share more than every student may
copy, and large data literals. Nothing is penalised: the summary lists them, grades.csv flags them.

copydetect (winnowing over tokens, as MOSS does; identifiers and strings are replaced by
placeholders, so renamed variables still match, and fingerprints do not depend on the order of
functions) compares every pair of graded files. The fingerprints of the assignment's
boilerplate (``[similarity] boilerplate`` in assignment.toml: the release stub and the lesson's
own code, looked up in the release folder, then the instructor's) are removed first: students
who copied the lesson share nothing by that alone. A notebook is compared by its code cells.
A pair is shown when either file shares at least ``threshold`` of its own remaining code with
the other; similarity.html shows each such pair side by side, the shared regions highlighted.
"""
import ast
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from copydetect import CodeFingerprint, compare_files
from copydetect.utils import get_copied_slices, highlight_overlap

from . import files, submission
from .pages import pair as pair_page

NOISE = 25  # copydetect's default: shorter common runs of tokens are noise
WINDOW = 1  # every fingerprint is kept (copydetect's default guarantee threshold equals the noise threshold)
THRESHOLD = 0.5
PAGE = "similarity.html"
LONG_STRING = 1000  # characters: a base64 blob, a pickled model
MANY_NUMBERS = 200  # numbers in one literal: weights or answers typed in
SHOWN = 200  # pairs shown side by side: a class that shares one leaked solution has thousands


@dataclass
class Pair:
    a: str
    b: str
    shared_a: float  # the fraction of a's own code that b shares
    shared_b: float
    page: str  # the side-by-side view, relative to the output folder: similarity.html#<a>--<b>


@dataclass
class Copies:
    pairs: list = field(default_factory=list)
    literals: dict = field(default_factory=dict)  # student id -> [what was found]
    found: int = 0  # pairs above the threshold; the closest SHOWN are in ``pairs``
    compared: int = 0  # submissions compared
    seconds: float = 0.0
    threshold: float = THRESHOLD


def _chunks(path, module):
    """The graded file's code (a notebook: its code cells), or None when it cannot be read."""
    try:
        return [chunk.source for chunk in submission.load(path, module).chunks]
    except submission.SubmissionError:
        return None


def _boilerplate(assignment, names, console):
    hashes = []
    for name in names:
        path = next((p for p in (assignment.release_dir / name, assignment.solution_dir / name) if p.is_file()), None)
        if path is None:
            console.print(f"[yellow]similarity: boilerplate {name} not found in {assignment.release_dir} or "
                          f"{assignment.solution_dir}; it is not excluded[/]", highlight=False)
            continue
        code = "\n\n".join(_chunks(path, assignment.module) or [])
        hashes.extend(CodeFingerprint(name, NOISE, 1, filter=True, language="python", fp=io.StringIO(code)).hashes)
    return np.unique(np.array(hashes, dtype=np.int64))  # copydetect expects unique, sorted hashes


def check(assignment, entries, out_dir, console):
    """Compare every graded submission of ``entries`` ((id, path)); write the side-by-side pages."""
    start = time.monotonic()
    config = assignment.config.get("similarity", {})
    copies = Copies(threshold=float(config.get("threshold", THRESHOLD)))
    boilerplate = _boilerplate(assignment, config.get("boilerplate", []), console)
    prints = {}
    for student, path in entries:
        chunks = _chunks(path, assignment.module)
        code = "\n\n".join(chunks or [])
        if not code.strip():
            continue
        prints[student] = fingerprint(student, code, boilerplate)
        found = literals(chunks)
        if found:
            copies.literals[student] = found
    names = sorted(prints)
    copies.compared = len(names)
    found = []
    arrays = {student: _arrays(fp) for student, fp in prints.items()}
    for a, b in _candidates(names, arrays, copies.threshold):
        shared_a, shared_b = _shared(prints[a], arrays[a], arrays[b]), _shared(prints[b], arrays[b], arrays[a])
        if max(shared_a, shared_b) >= copies.threshold:
            found.append(Pair(a, b, shared_a, shared_b, f"{PAGE}#{pair_page.anchor(a, b)}"))
    found.sort(key=lambda pair: (-max(pair.shared_a, pair.shared_b), pair.a, pair.b))
    copies.found, copies.pairs = len(found), found[:SHOWN]
    shown = []
    for pair in copies.pairs:  # copydetect's own comparison, for the regions to highlight
        _, _, slices = compare_files(prints[pair.a], prints[pair.b])
        shown.append((pair, *(highlight_overlap(prints[s].raw_code, cut, "<mark>", "</mark>", escape_html=True)[0]
                              for s, cut in ((pair.a, slices[0]), (pair.b, slices[1])))))
    files.atomic_write(Path(out_dir) / PAGE, pair_page.render(shown, len(found)))
    copies.seconds = time.monotonic() - start
    return copies


def fingerprint(student, code, boilerplate):
    return CodeFingerprint(f"{student}.py", NOISE, WINDOW, boilerplate, True, "python", fp=io.StringIO(code))


def _arrays(fingerprint):
    """A fingerprint as arrays: every kept position's hash, the position, and the distinct hashes, sorted."""
    items = [(h, i) for h, positions in fingerprint.hash_idx.items() for i in positions]
    hashes = np.array([h for h, _ in items], dtype=np.int64)
    return hashes, np.array([i for _, i in items], dtype=np.int64), np.unique(hashes)


def _candidates(names, arrays, threshold, screen=0.5, chunk=4096):
    """The pairs worth measuring: those sharing at least ``screen * threshold`` of either one's distinct
    fingerprints, counted for the whole class at once (a matrix product over the fingerprints that
    two or more submissions hold), so that independent pairs cost nothing more."""
    distinct = [arrays[n][2] for n in names]
    if not distinct:
        return []
    every, counts = np.unique(np.concatenate(distinct), return_counts=True)
    common = every[counts > 1]
    shared = np.zeros((len(names), len(names)), dtype=np.float32)
    for start in range(0, len(common), chunk):
        part = common[start:start + chunk]
        held = np.stack([np.isin(part, d, assume_unique=True) for d in distinct]).astype(np.float32)
        shared += held @ held.T
    sizes = np.array([max(len(d), 1) for d in distinct], dtype=np.float32)
    worth = (shared / sizes[:, None] >= screen * threshold) | (shared / sizes[None, :] >= screen * threshold)
    return [(names[i], names[j]) for i, j in zip(*np.nonzero(np.triu(worth, k=1)))]


def _shared(fingerprint, mine, theirs):
    """copydetect's similarity of ``fingerprint`` to another (compare_files: the tokens of its copied
    slices over its token coverage), with the overlap found by one vectorised np.isin: compare_files
    builds an array per shared hash, milliseconds for a pair of copies, which is n² of them in a class."""
    hashes, positions, _ = mine
    overlap = positions[np.isin(hashes, theirs[2], assume_unique=False)]
    if not len(overlap) or not len(fingerprint.filtered_code):
        return 0.0
    starts, ends = get_copied_slices(overlap, fingerprint.k)
    return float(np.sum(ends - starts) / fingerprint.token_coverage)


def literals(chunks):
    """Large data literals in code ``chunks``: long strings (base64 blobs) and long lists of numbers."""
    found = []
    for chunk in chunks:
        try:
            found += _walk(ast.parse(chunk))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # a chunk that does not parse defines nothing the grader ran
    return found


def _walk(tree):
    found, inside = [], set()
    for node in ast.walk(tree):
        if id(node) in inside:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)) and len(node.value) >= LONG_STRING:
            found.append(f"a {len(node.value):,}-character string literal (line {node.lineno})")
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            numbers = _numbers(node)
            if numbers >= MANY_NUMBERS:
                found.append(f"a literal of {numbers:,} numbers (line {node.lineno})")
                inside.update(id(n) for n in ast.walk(node))
    return found


def _numbers(node):
    """How many numbers a literal holds, nested lists included (0 when it holds anything else)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    if isinstance(node, ast.Constant):
        return 1 if isinstance(node.value, (int, float, complex)) and not isinstance(node.value, bool) else 0
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        counts = [_numbers(e) for e in node.elts]
        return sum(counts) if all(counts) else 0
    return 0


def flags(copies, most=3):
    """student id -> why a human should look (English, for grades.csv): the ``most`` closest partners."""
    partners = {}
    for p in copies.pairs:
        partners.setdefault(p.a, []).append(f"shares {p.shared_a:.0%} of its code with {p.b} ({p.page})")
        partners.setdefault(p.b, []).append(f"shares {p.shared_b:.0%} of its code with {p.a} ({p.page})")
    found = {student: said[:most] + ([f"and {len(said) - most} more similar submissions"] if len(said) > most else [])
             for student, said in partners.items()}
    for student, what in copies.literals.items():
        found.setdefault(student, []).extend(f"embedded data: {w}" for w in what)
    return found
