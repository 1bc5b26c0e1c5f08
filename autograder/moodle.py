"""Moodle: the names of a "Download all submissions" zip, and the offline grading worksheet.

Both as Moodle's own code makes and reads them (moodle/moodle, mod/assign):

- locallib.php ``download_submissions`` prefixes every file with
  ``clean_filename(<full name> + "_" + <participant id>)`` (underscores in the name become
  spaces) then ``_assignsubmission_<plugin>_``: with "Download submissions in folders" (the
  default since 3.1) a folder ``<Full name>_<id>_assignsubmission_file_/`` holds the files
  with their own names and sub-folders, else the file name follows the prefix
  (``..._assignsubmission_file_mnist_mlp.py``). With anonymous submissions ("blind
  marking") the name is the word "Participant". The participant id is the assignment's own
  id for the student (``get_uniqueid_for_user``), the same number the worksheet shows.
- feedback/offline/importgradeslib.php reads a CSV (UTF-8, BOM dropped, every row as many
  columns as the header) and finds its columns by exact header: ``Identifier``
  (``Participant <id>``: the id is what follows "Participant "), ``Grade`` (a number; blank or
  negative changes nothing, above the assignment's maximum is skipped), ``Last modified
  (grade)`` (read with PHP's strtotime: a grade changed in Moodle after it is kept), and a
  feedback plugin's column, ``Feedback comments``, which must not be the first column.
"""
import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from html import escape

NAME = "moodle"
BLIND = "Participant"
_PREFIX = r"(?P<name>[^/]+?)_(?P<user>\d+)_assignsubmission_(?P<plugin>[a-z]+)_"
FOLDER = re.compile(rf"^{_PREFIX}$")
FLAT = re.compile(rf"^{_PREFIX}(?P<original>[^/]+)$")
PATTERN = "<Full name>_<participant id>_assignsubmission_file_[/]<file name>"


@dataclass
class Member:
    user: str  # the participant id
    name: str
    original: str  # the file's path inside the student's submission
    plugin: str = "file"  # "onlinetext" and others hold no code
    order: int = 0
    late: bool = False

    @property
    def anonymous(self):
        return self.name == BLIND

    @property
    def kind(self):
        """"file", or the plugin that holds no file ("onlinetext", ...)."""
        return self.plugin


def parse(relative):
    """The Member a path inside a Moodle download describes (``Name_12_assignsubmission_file_/a.py``
    or the flat ``Name_12_assignsubmission_file_a.py``), or None when it is not one."""
    relative = unicodedata.normalize("NFC", relative)
    top, _, rest = relative.partition("/")
    found = FOLDER.match(top)
    if found and rest:
        return Member(found["user"], found["name"], rest, found["plugin"])
    found = FLAT.match(top) if not rest else None
    if found:
        return Member(found["user"], found["name"], found["original"], found["plugin"])
    return None


def is_entry(name):
    """A top-level name of a Moodle download (a student's folder or a flat file)."""
    name = unicodedata.normalize("NFC", name)
    return bool(FOLDER.match(name) or FLAT.match(name))


IDENTIFIER, GRADE, MAXIMUM, MODIFIED, COMMENTS = (
    "Identifier", "Grade", "Maximum Grade", "Last modified (grade)", "Feedback comments")
HIDDEN_USER = "Participant "  # get_string('hiddenuser', 'assign'): the Identifier's prefix


def worksheet_csv(rows, maximum, modified):
    """The offline grading worksheet to upload. ``rows``: dicts with id, name, email, grade (None:
    no change) and comment; ``modified``: when these grades were made (ISO 8601, with offset)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([IDENTIFIER, "Full name", "Email address", GRADE, MAXIMUM, MODIFIED, COMMENTS])
    for row in rows:
        grade = row.get("grade")
        writer.writerow([f"{HIDDEN_USER}{row['id']}", row.get("name", ""), row.get("email", ""),
                         "" if grade is None else f"{grade:g}", f"{maximum:g}", modified,
                         _comment(row.get("comment", ""))])
    return buf.getvalue()


def _comment(text):
    """Moodle shows a comment as HTML; PHP's fgetcsv reads a backslash before a quote as an escape."""
    return escape(text).replace("\\", "&#92;")
