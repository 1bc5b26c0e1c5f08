"""Who submitted what in a class download: Canvas's and Moodle's bulk downloads, read as they are.

``read(folder, lms)`` reads a class folder (an unpacked zip) the way its LMS named it:
every file belongs to one student, known by the LMS's id and display name (canvas.py,
moodle.py say how each names them). ``stage`` then lays out one folder per student that
holds the latest version of each of their files under its own name, so the engine's rule for
picking the file to grade (submission.find_submission_file) applies unchanged, and says
which version was graded. A plain folder (a file or folder per student) is not read here:
batch.py keeps its own rule for it.
"""
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import canvas, moodle
from .i18n import N_

FORMATS = {canvas.NAME: canvas, moodle.NAME: moodle}
PLAIN, AUTO = "plain", "auto"
CHOICES = (AUTO, canvas.NAME, moodle.NAME, PLAIN)
VERSION = re.compile(r"^(?P<stem>.+)-(?P<n>\d+)$")  # Canvas's name-1.py for a second upload of name.py


@dataclass
class Identity:
    """A student as the LMS knows them; the roster (roster.py) adds the rest."""
    lms: str
    id: str
    name: str = ""
    anonymous: bool = False
    late_marker: bool = False  # Canvas's own "LATE"
    sis_id: str = ""
    login: str = ""
    email: str = ""
    section: str = ""
    on_roster: bool = False

    def as_json(self):
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


@dataclass
class Student:
    identity: Identity
    files: list = field(default_factory=list)  # (path on disk, path inside the submission, upload order)
    entries: list = field(default_factory=list)  # kinds of entries that hold no file: "text", "link", "onlinetext"
    notes: list = field(default_factory=list)  # (template, fields): what the feedback says about versions


@dataclass
class Download:
    lms: str
    students: dict = field(default_factory=dict)  # LMS id -> Student, in download order
    strays: list = field(default_factory=list)  # (path, why it is no student's submission)


def _visible(folder):
    return sorted(p for p in Path(folder).iterdir() if not p.name.startswith((".", "__MACOSX")))


def detect(folder):
    """The LMS whose naming most of ``folder``'s entries follow (more than half), else plain."""
    names = [p.name for p in _visible(folder)]
    counts = {canvas.NAME: sum(canvas.parse(n) is not None for n in names),
              moodle.NAME: sum(moodle.is_entry(n) for n in names)}
    lms, count = max(counts.items(), key=lambda item: item[1])
    return lms if names and 2 * count > len(names) else PLAIN


def read(folder, lms, download):
    """Add ``folder``'s entries to ``download`` (an LMS's own, ``lms``: canvas or moodle)."""
    module = FORMATS[lms]
    for path in _visible(folder):
        if path.is_symlink():
            download.strays.append((path, f"{path.name} is a symbolic link; links are not followed"))
        elif lms == canvas.NAME:
            member = canvas.parse(path.name) if path.is_file() else None
            _add(download, member, path, path.name, module)
        elif path.is_dir() and moodle.FOLDER.match(path.name):
            for inner in sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink()
                                and not any(part.startswith(".") for part in p.relative_to(path).parts)):
                _add(download, moodle.parse(f"{path.name}/{inner.relative_to(path).as_posix()}"), inner,
                     path.name, module)
        else:
            _add(download, moodle.parse(path.name) if path.is_file() else None, path, path.name, module)


def _add(download, member, path, shown, module):
    if member is None:
        download.strays.append((path, f"{shown} is not named as {module.NAME.capitalize()} names a download's "
                                      f"entries ({module.PATTERN}); nothing was graded"))
        return
    student = download.students.get(member.user)
    if student is None:
        name = "" if member.anonymous else member.name
        student = download.students[member.user] = Student(
            Identity(module.NAME, member.user, name, member.anonymous))
    student.identity.late_marker |= member.late
    if member.kind != "file":
        student.entries.append(member.kind)
    else:
        student.files.append((path, member.original, member.order))


def _base(name):
    """``mnist_mlp-2.py`` -> (``mnist_mlp.py``, 2): the file a re-upload renamed, and which upload."""
    path = PurePosixPath(name)
    found = VERSION.match(path.stem)
    if not found:
        return name, 0
    return str(path.with_name(found["stem"] + path.suffix)), int(found["n"])


def stage(student, folder):
    """Copy the latest version of each of ``student``'s files into ``folder``, under its own name."""
    groups = {}
    for path, original, order in student.files:
        base, version = _base(original)
        groups.setdefault(base, []).append((order, version, path.stat().st_mtime_ns, original, path))
    for base, versions in groups.items():
        versions.sort()
        *earlier, (_, _, _, chosen, path) = versions
        target = Path(folder, *PurePosixPath(base).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        if earlier:
            student.notes.append((N_("Graded the latest version of {base}: {name} (earlier versions ignored: "
                                     "{earlier})"), {"base": base, "name": chosen,
                                                     "earlier": ", ".join(v[3] for v in earlier)}))
        elif chosen != base:
            student.notes.append((N_("Graded {name}, your latest upload of {base}"), {"name": chosen, "base": base}))
