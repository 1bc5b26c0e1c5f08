"""The class list (``grade --roster FILE``): LMS ids to SIS ids, e-mails, sections, submission times.

Three kinds of CSV are read as they are, told apart by their header:

- Canvas's gradebook export (``Student, ID, SIS User ID, SIS Login ID, Section, <assignment>
  (<id>), ...``): its ``Title (id)`` column names the assignment the import file goes to and
  its ``Points Possible`` row the points; Canvas's "Student, Test" is not a student;
- Moodle's offline grading worksheet (``Identifier, Full name, Email address, ...,
  Last modified (submission)``): ``Participant <id>`` identifies, the submission time says
  when, ``Maximum Grade`` the points;
- any other CSV with an id column (``id``, ``lms_id`` or ``user_id``) and, optionally,
  ``name``, ``sis_id``, ``login``, ``email``, ``section`` and ``submitted_at``.

A time without a time zone is read in the due date's (late.py). Everyone on the roster who
submitted nothing gets a row of their own in grades.csv and the summary.
"""
import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import canvas, moodle

ALIASES = {  # column -> the headers that name it (compared case-insensitively)
    "id": ("id", "lms_id", "user_id", "identifier"),
    "name": ("name", "student", "full name", "display name"),
    "sis_id": ("sis_id", "sis user id", "student_id", "student number"),
    "login": ("login", "sis login id", "username"),
    "email": ("email", "email address", "e-mail"),
    "section": ("section", "sections"),
    "submitted_at": ("submitted_at", "submitted", "submission time", "last modified (submission)"),
}
TEST_STUDENT = "Student, Test"  # Canvas's student view user
NOT_ASSIGNMENTS = ("Current Score", "Current Points", "Current Grade", "Final Score", "Final Points", "Final Grade",
                   "Override Score", "Override Grade", "Override Status", "Unposted")


class RosterError(Exception):
    """The roster cannot be used; the message says why and what it should hold."""


@dataclass
class Person:
    id: str
    name: str = ""
    sis_id: str = ""
    login: str = ""
    email: str = ""
    section: str = ""
    submitted_at: str = ""  # as the roster writes it; late.py reads it


@dataclass
class Roster:
    kind: str
    people: dict = field(default_factory=dict)  # LMS id -> Person, in roster order
    assignment_column: str = ""  # Canvas's "Title (assignment id)"
    points: float | None = None  # the LMS assignment's maximum


def read(path):
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise RosterError(f"cannot read the roster {path}: {err}") from None
    rows = [row for row in csv.reader(text.splitlines()) if any(cell.strip() for cell in row)]
    if not rows:
        raise RosterError(f"the roster {path} is empty")
    header = [cell.strip() for cell in rows[0]]
    if len(header) > 1 and "Student" in header[0] and header[1] == "ID":
        roster = _canvas(header, rows[1:])
    else:
        roster = _columns(path, header, rows[1:])
    if not roster.people:
        raise RosterError(f"the roster {path} lists no students")
    return roster


def _cell(row, index):
    return row[index].strip() if index is not None and index < len(row) else ""


def _columns(path, header, rows):
    """Moodle's worksheet or a CSV with named columns."""
    lowered = [h.lower() for h in header]
    index = {key: next((lowered.index(a) for a in names if a in lowered), None) for key, names in ALIASES.items()}
    if index["id"] is None:
        raise RosterError(f"the roster {path} has no id column: its columns are {', '.join(header) or 'none'}; "
                          f"name one {', '.join(ALIASES['id'])} (Canvas's gradebook export and Moodle's grading "
                          "worksheet are read as they are)")
    moodle_sheet = header[index["id"]] == moodle.IDENTIFIER
    roster = Roster("Moodle grading worksheet" if moodle_sheet else "CSV")
    for number, row in enumerate(rows, start=2):
        person = Person(**{key: _cell(row, i) for key, i in index.items()})
        if moodle_sheet:
            person.id = person.id.removeprefix(moodle.HIDDEN_USER.strip()).strip()
            if person.submitted_at == "-":  # Moodle's "never"
                person.submitted_at = ""
        if not person.id:
            raise RosterError(f"the roster {path}, line {number}, has no id")
        roster.people[person.id] = person
    if moodle_sheet and moodle.MAXIMUM in header:
        roster.points = _number(next((_cell(r, header.index(moodle.MAXIMUM)) for r in rows), ""))
    return roster


def _canvas(header, rows):
    """Canvas's gradebook export."""
    columns = {name: header.index(name) if name in header else None for name in canvas.STUDENT_COLUMNS}
    assignments = [i for i, h in enumerate(header) if canvas.TITLE_AND_ID.match(h)
                   and not any(word in h for word in NOT_ASSIGNMENTS)]
    roster = Roster("Canvas gradebook export")
    if len(assignments) == 1:
        roster.assignment_column = header[assignments[0]]
    for row in rows:
        first = _cell(row, 0)
        if "Points Possible" in first:
            if len(assignments) == 1:
                roster.points = _number(_cell(row, assignments[0]))
            continue
        if first == TEST_STUDENT or all(re.match(r"^\s*(Muted|Manual Posting.*)?\s*$", c, re.I) for c in row):
            continue
        person = Person(_cell(row, columns["ID"]), first, _cell(row, columns["SIS User ID"]),
                        _cell(row, columns["SIS Login ID"]), section=_cell(row, columns["Section"]))
        if person.id:
            roster.people[person.id] = person
    return roster


def _number(text):
    try:
        return float(text)
    except ValueError:
        return None
