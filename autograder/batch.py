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

A Canvas or Moodle bulk download (lms.py, canvas.py, moodle.py) is read as its LMS named it: the student id and name
come from the LMS, several files of one student are one submission, and the latest version of
each file is graded. ``--roster`` (roster.py) adds SIS ids, e-mails, sections and submission
times, and a row for everyone who submitted nothing. Once graded, each result is amended with
those facts and the late penalty (amend.py, late.py), copied code is flagged (similarity.py),
and the LMS's own import file is written beside grades.csv (exports.py).

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

from . import canvas, data, exports, files, i18n, late, lms, report, roster, similarity, unzip
from .amend import amend
from .assignment import named_by
from .pages import summary
from .submission import CODE_SUFFIXES, NOT_CODE
from .workers import Workers, complete

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
    identity: lms.Identity | None = None  # who the LMS says it is
    versions: list = field(default_factory=list)  # what the feedback says about the versions graded
    submitted: late.Submitted = field(default_factory=late.Submitted)
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
    lms: str = lms.PLAIN  # whose download it is
    times: dict = field(default_factory=dict)  # unpacked file -> (time, exact) its zip recorded


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


def collect(paths, workdir, out_dir, modules, choice=lms.AUTO):
    """The submissions in ``paths`` (of the assignments whose ``modules`` are given); InputError if a
    path does not exist or is not a submission.

    ``choice``: whose download it is (lms.CHOICES; ``auto`` tells by the entries' names).
    """
    inputs = Inputs()
    out_dir = Path(out_dir).resolve()
    download = lms.Download(lms.PLAIN)
    for path in map(Path, paths):
        if not path.exists() and not path.is_symlink():
            raise InputError(f"{path} does not exist; nothing was graded")
        if path.is_file() and path.suffix.lower() == ".zip":
            dest = Path(tempfile.mkdtemp(prefix=path.stem + "-", dir=workdir))
            try:
                problems = unzip.unpack(path, dest)
                inputs.times.update({dest / name: when for name, when in late.zip_times(path).items()})
            except unzip.ArchiveError as err:
                inputs.rejected.append((path.name, f"rejected: {path.name} is {err}"))
                continue
            inputs.rejected += [(f"{path.name}:{name}", f"rejected from {path.name}: {reason}")
                                for name, reason in problems]
            _class(_class_folder(dest, path.name, modules, inputs), path.name, choice, download, inputs, out_dir)
        elif path.is_dir() and not path.is_symlink():
            if _is_one_student(path, modules) and choice in (lms.AUTO, lms.PLAIN):
                inputs.entries.append(Entry(path))  # one student's folder
            else:
                _class(_class_folder(path, path.name, modules, inputs), path.name, choice, download, inputs, out_dir)
        elif path.is_file() and path.suffix in CODE_SUFFIXES and not path.is_symlink():
            inputs.entries.append(Entry(path))
        else:
            raise InputError(NOT_CODE.format(name=path) if path.is_file() else
                             f"{path} is not a file or folder to grade; nothing was graded")
    plain = inputs.entries + [Entry(path, error=reason) for path, reason in download.strays]
    inputs.entries = _stage(download, Path(workdir) / "lms", inputs.times) + plain
    _assign_ids(plain, {e.id for e in inputs.entries if e.id})
    for e in plain:
        e.submitted = _zip_time([e.path], inputs.times)
    return inputs


def _class(folder, shown, choice, download, inputs, out_dir):
    """A class folder's entries: read as its LMS named them, else one entry per top-level name."""
    found = lms.detect(folder) if choice == lms.AUTO else choice
    if found == lms.PLAIN:
        inputs.entries += _members(folder, out_dir)
        return
    if download.lms not in (lms.PLAIN, found):
        raise InputError(f"{shown} is a {found.capitalize()} download, but an earlier input was "
                         f"{download.lms.capitalize()}'s; grade them separately")
    download.lms = inputs.lms = found
    if choice == lms.AUTO:
        inputs.messages.append(f"{shown}: read as a {found.capitalize()} download (--lms to choose)")
    lms.read(folder, found, download)


def _stage(download, folder, times):
    """One entry per student of an LMS download: a folder of their latest files, their identity."""
    entries = []
    for student in download.students.values():
        identity = student.identity
        entry = Entry(folder / identity.id, identity.id, identity=identity)
        if not student.files:
            kinds = ", ".join(sorted(set(student.entries))) or "nothing"
            entry.error = f"{identity.id} submitted no file (a {kinds} entry); nothing was graded"
        else:
            lms.stage(student, entry.path)
            entry.versions = student.notes
        # Canvas stamps its zip's members with the time it zipped them, not when they were submitted.
        files = [] if download.lms == canvas.NAME else [path for path, *_ in student.files]
        entry.submitted = _zip_time(files, times)
        if download.lms == canvas.NAME:
            entry.submitted.marker = identity.late_marker
        entries.append(entry)
    return entries


def _zip_time(paths, times):
    """When the latest of ``paths`` was submitted, as their zip recorded it (unknown for a folder's files)."""
    found = [times[p] for path in paths for p in ([path] if path.is_file() else path.rglob("*")) if p in times
             and p.suffix in CODE_SUFFIXES]
    if not found:
        return late.Submitted()
    at, exact = max(found, key=lambda item: item[0].replace(tzinfo=None))
    return late.Submitted(at, "zip", exact)


def _assign_ids(entries, taken=()):
    def base(e):
        return e.path.stem if e.path.suffix in CODE_SUFFIXES and not e.path.is_dir() else e.path.name
    counts = Counter(base(e) for e in entries)
    taken = set(RESERVED) | set(taken)
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


def backend(assignment, out_dir, timeout, jobs, scheduler, language=None):
    """Warm workers on this machine, or a Dask cluster when a scheduler is named."""
    if scheduler:
        try:
            from .dask_backend import DaskWorkers  # Dask is an optional extra
        except ImportError:
            raise SystemExit("grading on a Dask cluster needs the dask extra: pip install '.[dask]'") from None
        return DaskWorkers(assignment, out_dir, timeout, jobs, scheduler, language)
    return Workers(assignment, out_dir, timeout, jobs, language)


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


def run(candidates, paths, out_dir, *, jobs=1, resume=False, id_column="student", console, scheduler=None,
        lms_choice=lms.AUTO, roster_path=None, due=None, similar=True, lms_assignment=None, language=None):
    """Grade ``paths`` into ``out_dir``; write grades.csv, the LMS's import file and summary.html
    from every result.

    ``candidates``: the assignment the class did, or several, each submission then graded for the
    one its file names (``assign``)."""
    out_dir = Path(out_dir)
    batch = Batch()
    try:
        policies = {a.id: late.Policy.from_config(a.config.get("late", {}), due) for a in candidates}
        people = roster.read(roster_path) if roster_path else None
    except (late.PolicyError, roster.RosterError) as err:
        console.print(f"[red]error: {err}; nothing was graded[/]", highlight=False)
        batch.code = USAGE
        return batch
    with tempfile.TemporaryDirectory(prefix="autograder-batch-") as work:
        try:
            inputs = collect(paths, work, out_dir, [a.module for a in candidates], lms_choice)
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
        for message in inputs.messages + _join_roster(entries, people, policies):
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
                                  scheduler, language) for a in used}
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
        batch.rows = [_final_row(out_dir / e.id, e, policies[e.assignment.id], language) for e in entries]
        copies = _similarity(used, entries, out_dir, console) if similar else None
    batch.rows += [{"score": 0, "tests": [], "extra_data": {"student": name, "status": reason, "error": reason}}
                   for name, reason in rejected]
    batch.rows += _missing(entries, people, inputs.lms)
    batch.columns = report.function_columns(batch.rows)
    flags = similarity.flags(copies) if copies else {}
    files.atomic_write(out_dir / "grades.csv", report.grades_csv(batch.rows, batch.columns, id_column, flags,
                                                                 with_assignment=len(used) > 1))
    if len(used) == 1:
        for message in exports.write(out_dir, inputs.lms, batch.rows, used[0], people, lms_assignment):
            console.print(message, highlight=False)
    elif inputs.lms in exports.FILES:
        console.print(f"[yellow]no {inputs.lms.capitalize()} import file: the class mixes {len(used)} assignments, "
                      "and an import file holds one; grade each with --assignment for its own[/]", highlight=False)
    title = " + ".join(a.config.get("title", a.id) for a in used) + ": class summary"
    files.atomic_write(out_dir / "summary.html", summary.render(batch.rows, title, copies))
    return batch


def _similarity(used, entries, out_dir, console):
    """The copied-code check; when it fails the grades are still written, without it."""
    if len(used) > 1:  # one page compares one assignment's code, against its own boilerplate
        console.print(f"[yellow]copied code was not checked: the class mixes {len(used)} assignments; "
                      "grade each with --assignment to compare its submissions[/]", highlight=False)
        return None
    try:
        return similarity.check(used[0], [(e.id, e.path) for e in entries if not e.error], out_dir, console)
    except Exception as err:  # noqa: BLE001  a flag for a human never costs the class its grades
        console.print(f"[yellow]copied code was not checked: {type(err).__name__}: {err}[/]", highlight=False)
        return None


def _join_roster(entries, people, policies):
    """Each entry's identity and submission time from the roster; what the instructor should know."""
    strangers = []
    for e in entries:
        due = policies[e.assignment.id].due
        zone = due.tzinfo if due else None
        person = people.people.get(e.id) if people else None
        if person is None:
            if people and not e.error:
                strangers.append(e.id)
            continue
        e.identity = e.identity or lms.Identity(lms.PLAIN, e.id)
        e.identity.on_roster = True
        for key in ("name", "sis_id", "login", "email", "section"):
            setattr(e.identity, key, getattr(person, key) or getattr(e.identity, key))
        if person.submitted_at:
            at = late.parse_time(person.submitted_at, zone)
            e.submitted = late.Submitted(at, "roster", marker=e.submitted.marker,
                                         unreadable="" if at else person.submitted_at)
    if not people:
        return []
    messages = [f"roster: {people.kind}, {len(people.people)} student(s)"]
    if strangers:
        messages.append(f"[yellow]not on the roster: {', '.join(strangers)}[/]")
    return messages


def _missing(entries, people, source):
    """A row for everyone on the roster who submitted nothing."""
    if not people:
        return []
    seen = {e.id for e in entries}
    return [{"score": 0, "tests": [], "extra_data": {
        "student": person.id, "status": report.NO_SUBMISSION, "error": report.NO_SUBMISSION,
        "lms": lms.Identity(source, **{k: getattr(person, k) for k in ("id", "name", "sis_id", "login", "email",
                                                                             "section")}, on_roster=True).as_json()}}
        for person in people.people.values() if person.id not in seen]


def _final_row(folder, entry, policy, language):
    """An entry's results.json document: amended with the LMS's facts, its status noting a duplicate name."""
    if not complete(folder):
        error = "no results were written"
        return {"score": 0, "tests": [], "extra_data": {
            "student": entry.id, "status": f"{report.GRADING_ERROR}: {error}", "error": error}}
    if entry.note:
        report.add_status_note(folder, entry.note)
    if not (entry.identity or entry.versions or policy.due or entry.submitted.marker):
        return report.read_results(folder)
    lateness = late.assess(policy, entry.submitted) if policy.due or entry.submitted.marker is not None else None
    i18n.choose(entry.assignment, language)  # the amended feedback is in the students' language
    return amend(folder, entry.identity.as_json() if entry.identity else None, entry.versions, lateness)
