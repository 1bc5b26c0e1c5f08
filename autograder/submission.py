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

from .i18n import N_, _

MAX_SOURCE_BYTES = 2_000_000
CODE_SUFFIXES = (".py", ".ipynb")
NOT_CODE = N_("{name} is not a .py or .ipynb file (or a folder holding one); nothing was graded")


class SubmissionError(Exception):
    """The submission cannot be read at all (missing, corrupt, not text).

    ``str()`` is English, for the instructor's status line and grades.csv; ``translated()``
    is what the student reads.
    """

    def __init__(self, template, **fields):
        super().__init__(template.format(**fields))
        self.template, self.fields = template, fields

    def translated(self):
        return _(self.template).format(**self.fields)


def unreadable_note(reason):
    """The note of a submission that could not be read, for the student."""
    return _("your submission could not be read: {reason}").format(reason=reason)


@dataclass
class Chunk:
    label: str  # where the code came from, as the student sees it: "code cell 4 (import numpy as np)"
    source: str
    first_line: int = 1


@dataclass
class Submission:
    path: Path
    chunks: list
    notes: list = field(default_factory=list)


def find_submission_file(path, module_name):
    """(the file to grade, a note naming it and what was ignored beside it).

    A folder is graded by ``<module>.py`` (else ``<module>.ipynb``) anywhere inside it, else
    by its only .py/.ipynb file; with several other candidates none is guessed at.
    """
    path = Path(path)
    if path.is_symlink():  # a link could point at anything on the grader's disk, even the reference
        raise SubmissionError(N_("{name} is a symbolic link; submit the file itself"), name=path.name)
    if path.is_file():
        if path.suffix not in CODE_SUFFIXES:
            raise SubmissionError(NOT_CODE, name=path.name)
        return path, _("graded file: {name}").format(name=path.name)
    if not path.is_dir():
        raise SubmissionError(N_("{path} does not exist"), path=path)
    candidates = sorted(p for p in path.rglob("*") if p.suffix in CODE_SUFFIXES and not p.is_symlink()
                        and p.is_file() and ".ipynb_checkpoints" not in p.parts)
    names = [str(p.relative_to(path)) for p in candidates]
    preferred = sorted((p for p in candidates if p.stem == module_name), key=lambda p: p.suffix != ".py")
    if not candidates:
        raise SubmissionError(N_("no .py or .ipynb file found in {name}"), name=path.name)
    if not preferred and len(candidates) > 1:
        raise SubmissionError(N_("{name} holds {count} candidate files ({names}) and none is named {module}.py or "
                                 "{module}.ipynb, so none was graded; name the one to grade {module}.py"),
                              name=path.name, count=len(candidates), names=", ".join(names), module=module_name)
    chosen = (preferred or candidates)[0]
    ignored = [n for p, n in zip(candidates, names) if p != chosen]
    note = _("graded file: {name}").format(name=chosen.relative_to(path)) + (
        _(" (ignored: {names})").format(names=", ".join(ignored)) if ignored else "")
    return chosen, note


def read_text(path):
    data = Path(path).read_bytes()
    if len(data) > MAX_SOURCE_BYTES:
        raise SubmissionError(N_("{name} is {size:,} bytes; the limit is {limit:,}"), name=path.name, size=len(data),
                              limit=MAX_SOURCE_BYTES)
    if b"\0" in data:
        raise SubmissionError(N_("{name} is a binary file, not source code"), name=path.name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SubmissionError(N_("{name} is not UTF-8 text ({reason} at byte {byte})"), name=path.name,
                              reason=err.reason, byte=err.start) from None


_MAGIC = re.compile(r"^\s*[%!]")


def _strip_magics(source):
    """Jupyter magics and shell escapes are not Python; blank them, keep line numbers."""
    if source.lstrip().startswith("%%"):
        return ""
    return "\n".join("" if _MAGIC.match(line) else line for line in source.splitlines())


def cell_label(number, source):
    """A code cell as a student finds it in Jupyter: its place among code cells and its first line."""
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    first = first if len(first) <= 40 else first[:39] + "…"
    return _("code cell {number} ({first})").format(number=number, first=first) if first else \
        _("code cell {number} (empty)").format(number=number)


def _notebook_chunks(path, text):
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as err:  # nbformat raises many types for a corrupt file
        raise SubmissionError(N_("{name} is not a readable Jupyter notebook: {error}"), name=path.name,
                              error=str(err)[:200]) from None
    language = nb.metadata.get("kernelspec", {}).get("language") or nb.metadata.get(
        "language_info", {}).get("name", "python")
    if language.lower() != "python":
        raise SubmissionError(N_("{name} is a {language} notebook; this assignment needs Python"), name=path.name,
                              language=language)
    chunks, number = [], 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        number += 1  # numbered as the student sees them, test cells included
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            continue  # an nbgrader test cell: the kit's own checks do its job
        chunks.append(Chunk(cell_label(number, cell.source), _strip_magics(cell.source)))
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
    path, note = find_submission_file(path, module_name)
    notes = [note] if note else []
    text = read_text(path)
    if path.suffix == ".ipynb":
        return Submission(path, _notebook_chunks(path, text), notes)
    text = _strip_magics(text)  # a .py exported from a notebook keeps its magics
    if _parses(text):
        return Submission(path, [Chunk(path.name, text)], notes)
    return Submission(path, _regroup(_split_top_level(text, path.name)), notes)
