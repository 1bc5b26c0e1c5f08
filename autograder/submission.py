"""Read a submission (.py, .ipynb, or a folder holding one) into code chunks.

Runs in the trusted process and never executes anything: it only reads text.
A notebook becomes one chunk per code cell, so a syntax error in one cell costs
only what that cell defines; a .py file is one chunk, split at top-level
definitions only when the whole file does not parse.
"""
import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

MAX_SOURCE_BYTES = 2_000_000


class SubmissionError(Exception):
    """The submission cannot be read at all (missing, corrupt, not text)."""


@dataclass
class Chunk:
    label: str  # where the code came from, as the student sees it: "cell 4", "mnist_mlp.py"
    source: str
    first_line: int = 1


@dataclass
class Submission:
    path: Path
    chunks: list
    notes: list = field(default_factory=list)


def find_submission_file(path, module_name):
    """A folder may hold the file under any name; prefer the assignment's own."""
    path = Path(path)
    if path.is_symlink():  # a link could point at anything on the grader's disk, even the reference
        raise SubmissionError(f"{path.name} is a symbolic link; submit the file itself")
    if path.is_file():
        return path
    if not path.is_dir():
        raise SubmissionError(f"{path} does not exist")
    candidates = sorted(p for p in path.rglob("*") if p.suffix in (".py", ".ipynb") and not p.is_symlink()
                        and p.is_file() and ".ipynb_checkpoints" not in p.parts)
    preferred = [p for p in candidates if p.stem == module_name]
    chosen = (preferred or candidates or [None])[0]
    if chosen is None:
        raise SubmissionError(f"no .py or .ipynb file found in {path}")
    return chosen


def read_text(path):
    data = Path(path).read_bytes()
    if len(data) > MAX_SOURCE_BYTES:
        raise SubmissionError(f"{path.name} is {len(data):,} bytes; the limit is {MAX_SOURCE_BYTES:,}")
    if b"\0" in data:
        raise SubmissionError(f"{path.name} is a binary file, not source code")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SubmissionError(f"{path.name} is not UTF-8 text ({err.reason} at byte {err.start})") from None


_MAGIC = re.compile(r"^\s*[%!]")


def _strip_magics(source):
    """Jupyter magics and shell escapes are not Python; blank them, keep line numbers."""
    if source.lstrip().startswith("%%"):
        return ""
    return "\n".join("" if _MAGIC.match(line) else line for line in source.splitlines())


def _notebook_chunks(path, text):
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as err:  # nbformat raises many types for a corrupt file
        raise SubmissionError(f"{path.name} is not a readable Jupyter notebook: {str(err)[:200]}") from None
    language = nb.metadata.get("kernelspec", {}).get("language") or nb.metadata.get(
        "language_info", {}).get("name", "python")
    if language.lower() != "python":
        raise SubmissionError(f"{path.name} is a {language} notebook; this assignment needs Python")
    chunks, number = [], 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        number += 1  # numbered as the student sees them, test cells included
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            continue  # an nbgrader test cell: the kit's own checks do its job
        chunks.append(Chunk(f"cell {number}", _strip_magics(cell.source)))
    return chunks


def _split_top_level(text, label):
    """Cut unparsable source before each unindented statement so good parts survive."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines)
              if line[:1] not in ("", " ", "\t", "#", ")", "]", "}")] or [0]
    if starts[0] != 0:
        starts.insert(0, 0)
    bounds = zip(starts, starts[1:] + [len(lines)])
    return [Chunk(label, "\n".join(lines[a:b]), a + 1) for a, b in bounds]


def _regroup(pieces, lookahead=8):
    """Rejoin pieces that only parse together (decorators, multi-line strings);
    a piece that parses with none of its next neighbours stays alone, broken."""
    chunks, i = [], 0
    while i < len(pieces):
        for j in range(i + 1, min(i + 1 + lookahead, len(pieces)) + 1):
            source = "\n".join(p.source for p in pieces[i:j])
            if _parses(source):
                break
        else:
            j, source = i + 1, pieces[i].source
        chunks.append(Chunk(pieces[i].label, source, pieces[i].first_line))
        i = j
    return chunks


def _parses(source):
    try:
        ast.parse(source)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def load(path, module_name):
    path = find_submission_file(path, module_name)
    text = read_text(path)
    if path.suffix == ".ipynb":
        return Submission(path, _notebook_chunks(path, text))
    text = _strip_magics(text)  # a .py exported from a notebook keeps its magics
    if _parses(text):
        return Submission(path, [Chunk(path.name, text)])
    return Submission(path, _regroup(_split_top_level(text, path.name)))
