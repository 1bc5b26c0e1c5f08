"""Canvas: the names of a "Download Submissions" zip, and the gradebook CSV Canvas imports.

Both formats as Canvas's own code makes and reads them (instructure/canvas-lms):

- lib/content_zipper.rb names each file ``<name>[_LATE]_<userid>_<fileid>_<original name>``:
  ``<name>`` is the student's sortable name, lower-cased, with ``_<digits>_`` runs squeezed
  and every non-word character removed (so ``Doe, John`` is ``doejohn`` and ``김민준`` stays);
  an anonymously graded assignment has no name and ``anon_<anonymous id>`` for the user id.
  ``LATE`` is Canvas's own verdict against its due date. A text entry is
  ``<name>[_LATE]_<userid>_text.html``, a URL entry ``..._link.html``. Canvas renames a file
  uploaded again under the same name to ``name-1.py``, ``name-2.py`` (Attachment.make_unique_filename).
- app/models/gradebook_importer.rb reads a CSV whose header starts ``Student, ID``, optionally
  ``SIS User ID, SIS Login ID``, then ``Section``; every later column is an assignment, matched
  by the id in ``Title (id)`` (else by its exact title; else Canvas creates a new assignment);
  a row whose first cell contains ``Points Possible`` gives the points; a student is found by
  ``ID`` first, then by SIS user id or login, then by name. A blank or ``-`` grade changes nothing.
"""
import csv
import io
import re
import unicodedata
from dataclasses import dataclass

NAME = "canvas"
# The sortable name never holds `_<digits>_` (Canvas squeezes it), so the first one starts the ids.
_WHO = r"^(?:(?P<name>\w*?)_)??(?:(?P<late>LATE)_)?(?P<user>\d+|anon_[A-Za-z0-9]+)_"
FILE = re.compile(_WHO + r"(?P<file>\d+)_(?P<original>.+)$", re.S)
ENTRY = re.compile(_WHO + r"(?P<kind>text|link)\.html$")
PATTERN = "sortablename[_LATE]_<user id>_<file id>_<file name>"


@dataclass
class Member:
    """One entry of a download, as its name tells it."""
    user: str  # the LMS id: a Canvas user id, or anon_<id>
    name: str
    late: bool
    original: str  # the file's own name ("" for a text or link entry)
    order: int = 0  # Canvas's file id: larger is uploaded later
    kind: str = "file"  # or "text", "link"

    @property
    def anonymous(self):
        return self.user.startswith("anon_")


def parse(filename):
    """The Member a Canvas download's file name describes, or None when it is not one."""
    filename = unicodedata.normalize("NFC", filename)  # a zip made on macOS decomposes Hangul
    found = FILE.match(filename)  # first: a file may itself be called text.html
    if found:
        return Member(found["user"], found["name"] or "", bool(found["late"]), found["original"], int(found["file"]))
    found = ENTRY.match(filename)
    if found:
        return Member(found["user"], found["name"] or "", bool(found["late"]), "", kind=found["kind"])
    return None


TITLE_AND_ID = re.compile(r"^(?P<title>.*)\s\((?P<id>\d+)\)$")  # Assignment.title_and_id
STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def gradebook_csv(rows, column, points):
    """Canvas's gradebook import file. ``rows``: dicts with id, name, sis_id, login, section and
    grade (a number, or None for no change); ``column``: ``Title (assignment id)``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*STUDENT_COLUMNS, column])
    writer.writerow(["    Points Possible", "", "", "", "", f"{points:g}"])
    for row in rows:
        grade = row.get("grade")
        writer.writerow([row.get("name", ""), row["id"], row.get("sis_id", ""), row.get("login", ""),
                         row.get("section", ""), "" if grade is None else f"{grade:g}"])
    return buf.getvalue()
