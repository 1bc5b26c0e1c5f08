"""Grade a whole class: find the submissions, grade each in a worker process, resume, summarise.

Inputs: files, folders of files or of folders, and zip archives of either (an LMS bulk
download), unpacked safely into a temporary folder. Student id = file stem or folder
name; when two entries share one (``alice.py`` and ``alice.ipynb``, or ``alice/`` and
``alice.py``) each keeps its full name (``alice.py``, ``alice.ipynb``, ``alice``) and
grades.csv says so. Anything that is not a submission (``notes.txt``, a link) still
gets a row that says why it was not graded; nothing stops the batch.

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

from . import data, report, summary, unzip
from .workers import complete

CODE_SUFFIXES = (".py", ".ipynb")
RESERVED = {"grades.csv", "summary.html"}  # files of the output folder itself
INTERRUPTED = 130
NOT_CODE = "{} is not a .py or .ipynb file (or a folder holding one); nothing was graded"
UNREADABLE = "your submission could not be read:"  # the note grading.run_checks adds


@dataclass
class Entry:
    path: Path
    id: str = ""
    error: str = ""  # set: not a submission; written as a row that says why
    note: str = ""  # added to the status in grades.csv


@dataclass
class Batch:
    code: int = 0
    rows: list = field(default_factory=list)  # results.json documents, input order
    columns: list = field(default_factory=list)
    graded: int = 0
    resumed: int = 0


def _members(folder, out_dir):
    """Every top-level entry of a class folder is one student's submission (or junk)."""
    found = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith((".", "_")) or p.resolve() == out_dir:
            continue
        if p.is_symlink():
            found.append(Entry(p, error=f"{p.name} is a symbolic link; links are not followed"))
        elif p.is_dir() or p.suffix in CODE_SUFFIXES:
            found.append(Entry(p))
        else:
            found.append(Entry(p, error=NOT_CODE.format(p.name)))
    return found


def collect(paths, workdir, out_dir):
    """(entries, rejected): submissions to grade, and (name, reason) for unusable inputs."""
    entries, rejected = [], []
    out_dir = Path(out_dir).resolve()
    for path in map(Path, paths):
        if path.is_file() and path.suffix.lower() == ".zip":
            dest = Path(tempfile.mkdtemp(prefix=path.stem + "-", dir=workdir))
            try:
                problems = unzip.unpack(path, dest)
            except unzip.ArchiveError as err:
                rejected.append((path.name, f"rejected: {path.name} is {err}"))
                continue
            rejected += [(f"{path.name}:{name}", f"rejected from {path.name}: {reason}")
                         for name, reason in problems]
            entries += _members(dest, out_dir)
        elif path.is_dir():
            inside = [p for p in path.iterdir() if not p.name.startswith((".", "_"))]
            code = [p for p in inside if p.suffix in CODE_SUFFIXES and p.is_file()]
            if len(code) == 1 and not any(p.is_dir() for p in inside):
                entries.append(Entry(path))  # one student's folder
            else:
                entries += _members(path, out_dir)
        elif path.is_file() and path.suffix not in CODE_SUFFIXES:
            entries.append(Entry(path, error=NOT_CODE.format(path.name)))
        else:
            entries.append(Entry(path))  # a missing path gets a row that says so
    _assign_ids(entries)
    return entries, rejected


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
                e.note = f"duplicate name: graded as {e.id}, also submitted as {others}"


def _unreadable(results):
    """The reader's reason when a submission could not be read at all, for grades.csv."""
    lines = results.get("output", "").splitlines()
    return next((line[len(UNREADABLE):].strip() for line in lines if line.startswith(UNREADABLE)), "")


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


def run(assignment, paths, out_dir, *, jobs=1, resume=False, id_column="student", console, scheduler=None):
    """Grade ``paths`` into ``out_dir``; write grades.csv and summary.html from every result."""
    out_dir = Path(out_dir)
    batch = Batch()
    with tempfile.TemporaryDirectory(prefix="autograder-batch-") as work:
        entries, rejected = collect(paths, work, out_dir)
        if not entries and not rejected:
            console.print("[red]no submissions found[/]")
            batch.code = 2
            return batch
        for name, reason in rejected:
            console.print(f"[yellow]{name}: {reason}[/]", highlight=False)
        spec = assignment.config.get("dataset")
        if spec and entries:  # verify once, up front, so workers only find a ready cache
            data.sandbox_cache(spec)
        todo = [e for e in entries if not (resume and complete(out_dir / e.id))]
        batch.resumed = len(entries) - len(todo)
        if batch.resumed:
            console.print(f"--resume: {batch.resumed} submission(s) already graded, {len(todo)} to go")
        timeout = assignment.config.get("limits", {}).get("submission_seconds", 300) + 120
        workers = backend(assignment, out_dir, timeout, jobs, scheduler)
        pool = ThreadPoolExecutor(workers.slots)
        try:
            with progress_bar(console) as progress:
                task = progress.add_task("grading", total=len(todo))
                futures = {pool.submit(workers.grade, e): e for e in todo}
                for future in as_completed(futures):
                    try:
                        future.result()
                    except Exception as err:  # noqa: BLE001  one submission never stops the batch
                        console.print(f"[red]{futures[future].id}: {type(err).__name__}: {err}[/]")
                    batch.graded += 1
                    progress.advance(task)
        except KeyboardInterrupt:
            workers.interrupt()
            pool.shutdown(wait=True, cancel_futures=True)
            left = sum(not complete(out_dir / e.id) for e in entries)
            console.print(f"[yellow]interrupted: {len(entries) - left} graded, {left} left; "
                          "run the same command with --resume to finish[/]")
            batch.code = INTERRUPTED
            return batch
        finally:
            workers.close()
        pool.shutdown()
    batch.rows = [report.read_results(out_dir / e.id) if complete(out_dir / e.id) else
                  {"score": 0, "tests": [], "extra_data": {"student": e.id, "error": "no results were written"}}
                  for e in entries]
    batch.rows += [{"score": 0, "tests": [], "extra_data": {"student": name, "error": reason}}
                   for name, reason in rejected]
    batch.columns = report.function_columns(batch.rows)
    notes = {e.id: "; ".join(filter(None, [e.note, _unreadable(r)])) for e, r in zip(entries, batch.rows)}
    report.atomic_write(out_dir / "grades.csv", report.grades_csv(batch.rows, batch.columns, id_column, notes))
    title = f"{assignment.config.get('title', assignment.id)}: class summary"
    report.atomic_write(out_dir / "summary.html",
                        summary.render(batch.rows[:len(entries)], title, problems=rejected, notes=notes))
    return batch
