"""Grade a whole class: find the submissions, grade each in a worker process, resume, summarise.

Inputs: files, folders of files or of folders, and zip archives of either (an LMS bulk
download), unpacked safely into a temporary folder. Student id = file stem or folder
name; when two entries share one (``alice.py`` and ``alice.ipynb``, or ``alice/`` and
``alice.py``) each keeps its full name (``alice.py``, ``alice.ipynb``, ``alice``) and
grades.csv says so. Inside a folder or zip, anything that is not a submission
(``notes.txt``, a link) still gets a row that says why it was not graded; nothing stops
the batch. A path on the command line that does not exist or is not a submission stops
it before anything is graded. A folder or zip whose only entry is a folder of students
(``class_export/erin.py``, ``class_export/frank.py``) is unwrapped one level.
Statuses: report.GRADED and its siblings, the same words everywhere.

Each submission's folder is complete once its results.json exists (it is written last,
atomically): ``--resume`` skips those, and Ctrl-C stops the workers without writing
anything for the submissions they were grading.
"""
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

from . import data, report, unzip
from .assignment import named_by
from .pages import summary
from .submission import CODE_SUFFIXES, NOT_CODE
from .workers import complete

RESERVED = {"grades.csv", "summary.html"}  # files of the output folder itself
INTERRUPTED = 130
USAGE = 2  # a command line that names nothing gradable


class InputError(Exception):
    """A path on the command line is not a submission: nothing is graded."""


@dataclass
class Entry:
    path: Path
    id: str = ""
    error: str = ""  # set: not a submission; written as a row that says why
    note: str = ""  # added to the status in grades.csv
    assignment: object = None  # the Assignment it is graded for


@dataclass
class Batch:
    code: int = 0
    rows: list = field(default_factory=list)  # results.json documents, input order
    columns: list = field(default_factory=list)
    graded: int = 0
    resumed: int = 0


@dataclass
class Inputs:
    entries: list = field(default_factory=list)  # submissions to grade (or to report as not one)
    rejected: list = field(default_factory=list)  # (name, reason): archive members or archives unusable
    messages: list = field(default_factory=list)  # what the instructor should know about the input's shape


def _visible(folder):
    return sorted(p for p in folder.iterdir() if not p.name.startswith((".", "_")))


def _is_one_student(folder, modules):
    """A folder holding an assignment's file, or a single .py/.ipynb and no folders, is one submission."""
    inside = _visible(folder)
    code = [p for p in inside if p.suffix in CODE_SUFFIXES and p.is_file()]
    return (any(p.stem in modules for p in code)
            or (len(code) == 1 and not any(p.is_dir() for p in inside)))


def _members(folder, out_dir):
    """Every top-level entry of a class folder is one student's submission (or junk)."""
    found = []
    for p in _visible(folder):
        if p.resolve() == out_dir:
            continue
        if p.is_symlink():
            found.append(Entry(p, error=f"{p.name} is a symbolic link; links are not followed"))
        elif p.is_dir() or p.suffix in CODE_SUFFIXES:
            found.append(Entry(p))
        else:
            found.append(Entry(p, error=NOT_CODE.format(name=p.name)))
    return found


def _class_folder(folder, shown, modules, inputs):
    """The class inside ``folder``, unwrapped once when its only entry is a folder of students
    (``class_export/erin.py``, ``class_export/frank.py``: how LMSs and OS zip tools export)."""
    inside = _visible(folder)
    if len(inside) == 1 and inside[0].is_dir() and not inside[0].is_symlink() \
            and not _is_one_student(inside[0], modules):
        inputs.messages.append(f"{shown} holds only the folder {inside[0].name}/: "
                               f"graded its {len(_visible(inside[0]))} entries as the class")
        return inside[0]
    return folder


def collect(paths, workdir, out_dir, modules):
    """The submissions in ``paths`` (of the assignments whose ``modules`` are given); InputError if a
    path does not exist or is not a submission."""
    inputs = Inputs()
    out_dir = Path(out_dir).resolve()
    for path in map(Path, paths):
        if not path.exists() and not path.is_symlink():
            raise InputError(f"{path} does not exist; nothing was graded")
        if path.is_file() and path.suffix.lower() == ".zip":
            dest = Path(tempfile.mkdtemp(prefix=path.stem + "-", dir=workdir))
            try:
                problems = unzip.unpack(path, dest)
            except unzip.ArchiveError as err:
                inputs.rejected.append((path.name, f"rejected: {path.name} is {err}"))
                continue
            inputs.rejected += [(f"{path.name}:{name}", f"rejected from {path.name}: {reason}")
                                for name, reason in problems]
            inputs.entries += _members(_class_folder(dest, path.name, modules, inputs), out_dir)
        elif path.is_dir() and not path.is_symlink():
            if _is_one_student(path, modules):
                inputs.entries.append(Entry(path))  # one student's folder
            else:
                inputs.entries += _members(_class_folder(path, path.name, modules, inputs), out_dir)
        elif path.is_file() and path.suffix in CODE_SUFFIXES and not path.is_symlink():
            inputs.entries.append(Entry(path))
        else:
            raise InputError(NOT_CODE.format(name=path) if path.is_file() else
                             f"{path} is not a file or folder to grade; nothing was graded")
    _assign_ids(inputs.entries)
    return inputs


def _assign_ids(entries):
    def base(e):
        return e.path.stem if e.path.suffix in CODE_SUFFIXES and not e.path.is_dir() else e.path.name
    counts = Counter(base(e) for e in entries)
    taken = set(RESERVED)
    for e in entries:
        name = base(e) if counts[base(e)] == 1 else e.path.name
        e.id, n = name, 1
        while e.id in taken:
            n += 1
            e.id = f"{name}-{n}"
        taken.add(e.id)
    for key, count in counts.items():
        if count > 1:
            group = [e for e in entries if base(e) == key]
            for e in group:
                others = ", ".join(o.id for o in group if o is not e)
                e.note = f"{report.DUPLICATE}: graded as {e.id}, also submitted as {others}"




def progress_bar(console):
    return Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("ETA"), TimeRemainingColumn(), console=console, transient=True)


def backend(assignment, out_dir, timeout, jobs, scheduler):
    """Warm workers on this machine, or a Dask cluster when a scheduler is named."""
    if scheduler:
        try:
            from .dask_backend import DaskWorkers  # Dask is an optional extra
        except ImportError:
            raise SystemExit("grading on a Dask cluster needs the dask extra: pip install '.[dask]'") from None
        return DaskWorkers(assignment, out_dir, timeout, jobs, scheduler)
    from .workers import Workers
    return Workers(assignment, out_dir, timeout, jobs)


def assign(entries, candidates):
    """Give every entry its assignment: the only candidate, else the one its file names. InputError
    when there are several and a submission does not say which it is: nothing is guessed."""
    unnamed = []
    for entry in entries:
        entry.assignment = candidates[0] if len(candidates) == 1 else named_by(entry.path, candidates)
        if entry.assignment is None and not entry.error:
            unnamed.append(entry.path.name)
    if unnamed:
        modules = " or ".join(f"{a.module}.py" for a in candidates)
        raise InputError(f"several assignments exist ({', '.join(a.id for a in candidates)}) and "
                         f"{len(unnamed)} submission(s) do not say which they are ({', '.join(unnamed[:5])}"
                         f"{', ...' if len(unnamed) > 5 else ''}): a class may mix them only if every file is "
                         f"named {modules}; otherwise name the assignment with --assignment; nothing was graded")
    used = list({e.assignment.id: e.assignment for e in entries if e.assignment}.values())
    for entry in entries:  # not a submission: any backend writes its row
        entry.assignment = entry.assignment or (used or candidates)[0]
    return used or candidates[:1]


def run(candidates, paths, out_dir, *, jobs=1, resume=False, id_column="student", console, scheduler=None):
    """Grade ``paths`` into ``out_dir``; write grades.csv and summary.html from every result.

    ``candidates``: the assignment the class did, or several, each submission then graded for the
    one its file names (``assign``)."""
    out_dir = Path(out_dir)
    batch = Batch()
    with tempfile.TemporaryDirectory(prefix="autograder-batch-") as work:
        try:
            inputs = collect(paths, work, out_dir, [a.module for a in candidates])
            used = assign(inputs.entries, candidates)
        except InputError as err:
            console.print(f"[red]error: {err}[/]", highlight=False)
            batch.code = USAGE
            return batch
        entries, rejected = inputs.entries, inputs.rejected
        if not entries and not rejected:
            console.print("[red]error: no submissions found; nothing was graded[/]")
            batch.code = USAGE
            return batch
        for message in inputs.messages:
            console.print(message, highlight=False)
        for name, reason in rejected:
            console.print(f"[yellow]{name}: {reason}[/]", highlight=False)
        for spec in (a.config.get("dataset") for a in used):
            if spec and entries:  # verify once, up front, so workers only read a known-good copy
                data.load(spec)
        todo = [e for e in entries if not (resume and complete(out_dir / e.id))]
        batch.resumed = len(entries) - len(todo)
        if batch.resumed:
            console.print(f"--resume: {batch.resumed} submission(s) already graded, {len(todo)} to go")
        backends = {a.id: backend(a, out_dir, a.config.get("limits", {}).get("submission_seconds", 300) + 120, jobs,
                                  scheduler) for a in used}
        pool = ThreadPoolExecutor(max(b.slots for b in backends.values()))
        try:
            with progress_bar(console) as progress:
                task = progress.add_task("grading", total=len(todo))
                futures = {pool.submit(backends[e.assignment.id].grade, e): e for e in todo}
                for future in as_completed(futures):
                    try:
                        future.result()
                    except Exception as err:  # noqa: BLE001  one submission never stops the batch
                        console.print(f"[red]{futures[future].id}: {type(err).__name__}: {err}[/]")
                    batch.graded += 1
                    progress.advance(task)
        except KeyboardInterrupt:
            for workers in backends.values():
                workers.interrupt()
            pool.shutdown(wait=True, cancel_futures=True)
            left = sum(not complete(out_dir / e.id) for e in entries)
            console.print(f"[yellow]interrupted: {len(entries) - left} graded, {left} left; "
                          "run the same command with --resume to finish[/]")
            batch.code = INTERRUPTED
            return batch
        finally:
            for workers in backends.values():
                workers.close()
        pool.shutdown()
    batch.rows = [_final_row(out_dir / e.id, e) for e in entries]
    batch.rows += [{"score": 0, "tests": [], "extra_data": {"student": name, "status": reason, "error": reason}}
                   for name, reason in rejected]
    batch.columns = report.function_columns(batch.rows)
    report.atomic_write(out_dir / "grades.csv", report.grades_csv(batch.rows, batch.columns, id_column,
                                                                  with_assignment=len(used) > 1))
    title = " + ".join(a.config.get("title", a.id) for a in used) + ": class summary"
    report.atomic_write(out_dir / "summary.html", summary.render(batch.rows, title))
    return batch


def _final_row(folder, entry):
    """An entry's results.json document, its status noting a duplicate name."""
    if not complete(folder):
        error = "no results were written"
        return {"score": 0, "tests": [], "extra_data": {
            "student": entry.id, "status": f"{report.GRADING_ERROR}: {error}", "error": error}}
    return report.add_status_note(folder, entry.note) if entry.note else report.read_results(folder)
