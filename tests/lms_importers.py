"""The LMSs' grade importers, as their source reads a file, written here apart from the writers
(autograder/canvas.py, moodle.py) so that a test can read an import file the way Canvas or Moodle would.

- Canvas: app/models/gradebook_importer.rb (instructure/canvas-lms);
- Moodle: mod/assign/feedback/offline/importgradeslib.php and locallib.php's
  process_import_grades, with lib/csvlib.class.php's csv_import_reader (moodle/moodle).
"""
import csv
import io
import re
from datetime import datetime


class Rejected(Exception):
    """The LMS would refuse the whole file."""


# -- Canvas --------------------------------------------------------------------------------
def _canvas_delimiter(lines):
    """identify_delimiter: the separator that gives every one of the first 3 lines as many fields."""
    counts = {}
    for sep in ";,":
        sizes = {len(next(csv.reader([line], delimiter=sep))) for line in lines[:3]}
        counts[sep] = sizes.pop() if len(sizes) == 1 else 0
    return ";" if counts[";"] > counts[","] else ","


def _canvas_number(field):
    """CSV::Converters[:decimal_comma_to_period]."""
    if re.match(r"^-?[0-9.,]+%?$", field):
        *head, last = re.split(r"[,.]", field)
        return f"{''.join(head)}.{last}" if head else last
    return field


def canvas_import(text, students):
    """What Canvas's gradebook importer makes of ``text``: {assignment: {"id", "title", "points",
    "grades": {user id: grade}}}. ``students``: {user id: (name, sortable name, sis id, login)}."""
    lines = text.splitlines()
    sep = _canvas_delimiter(lines)
    rows = [[_canvas_number(cell) for cell in row] for row in csv.reader(lines, delimiter=sep)
            if not re.match(r"^[;, ]+$", sep.join(row))]
    header = rows[0]
    if not (len(header) > 3 and "Student" in header[0] and "ID" in header[1]):
        raise Rejected("Invalid header row")
    columns = 3
    sis_user = sis_login = None
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        sis_login, columns = 2, 4
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        sis_user, sis_login, columns = 2, 3, 5
    if "Section" not in header[columns - 1]:
        raise Rejected("Invalid header row")
    reserved = r"Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade|Override"
    assignments = {}
    for index, title in enumerate(header[columns:], start=columns):
        if re.search(reserved, title):
            continue
        found = re.match(r"^(.*)\s\((\d+)\)$", title)
        assignments[index] = {"id": found and found[2], "title": found[1] if found else title, "points": None,
                              "grades": {}}
    by_sis = {s[2]: uid for uid, s in students.items()}
    by_login = {s[3]: uid for uid, s in students.items()}
    for row in rows[1:]:
        if "Points Possible" in row[0]:
            for index, assignment in assignments.items():
                assignment["points"] = row[index]
            continue
        if all(re.match(r"^\s*(Muted|Manual Posting.*)?\s*$", c, re.I) for c in row):
            continue
        uid = row[1] if row[1] in students else None
        uid = uid or (sis_user is not None and by_sis.get(row[sis_user])) or \
            (sis_login is not None and by_login.get(row[sis_login])) or \
            next((u for u, s in students.items() if row[0] in (s[0], s[1])), None)
        if uid is None:
            raise Rejected(f"unknown student {row[:2]}")  # Canvas would list it as a new, unmatched student
        for index, assignment in assignments.items():
            grade = row[index].strip()
            if grade not in ("", "-"):
                assignment["grades"][uid] = float(grade)
    return {a["title"]: a for a in assignments.values()}


# -- Moodle --------------------------------------------------------------------------------
def _strtotime(text):
    """The forms of PHP's strtotime this kit writes: ISO 8601 with an offset."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def moodle_import(text, participants, maximum, graded_at=None):
    """What Moodle's offline grading import does with ``text``: {participant id: (grade, comment)}.

    ``participants``: the assignment's participant ids; ``maximum``: its maximum grade;
    ``graded_at``: {id: when the grade was last changed in Moodle} (a newer one is kept).
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").strip()
    rows = [row for row in csv.reader(io.StringIO(text)) if row != [] and row != [""]]
    if not rows:
        raise Rejected("csvemptyfile")
    if any(len(row) != len(rows[0]) for row in rows):
        raise Rejected("csvweirdcolumns")
    header = rows[0]
    try:
        ident, grade, modified = header.index("Identifier"), header.index("Grade"), \
            header.index("Last modified (grade)")
    except ValueError:
        raise Rejected("invalidgradeimport") from None
    comments = header.index("Feedback comments") if "Feedback comments" in header else None
    found = {}
    for row in rows[1:]:
        pid = row[ident][len("Participant "):]
        if pid not in participants:
            continue
        when = _strtotime(row[modified])
        value = row[grade]
        stale = graded_at and pid in graded_at and (when is None or graded_at[pid].timestamp() > when.timestamp() + 60)
        if value == "" or float(value) < 0 or float(value) > maximum or stale:
            continue
        found[pid] = (float(value), row[comments] if comments else None)  # !empty(index): never column 0
    return found


# Moodle's own reading, where PHP is installed: the same preprocessing, PHP's fgetcsv (whose
# escape character is a backslash) and strtotime, as csv_import_reader and the importer use them.
MOODLE_PHP = r"""<?php
$content = preg_replace('/^\xEF\xBB\xBF/', '', file_get_contents($argv[1]));
$content = trim(preg_replace('!\r\n?!', "\n", $content));
$fp = fopen('php://temp', 'w+');
fwrite($fp, $content);
rewind($fp);
$rows = [];
while ($row = fgetcsv($fp, 0, ',', '"')) {
    if (count($row) == 1 && $row[0] === null) { continue; }
    $rows[] = $row;
}
foreach ($rows as $row) {
    if (count($row) !== count($rows[0])) { exit(json_encode(['error' => 'csvweirdcolumns'])); }
}
$id = array_search('Identifier', $rows[0]);
$grade = array_search('Grade', $rows[0]);
$modified = array_search('Last modified (grade)', $rows[0]);
$comments = array_search('Feedback comments', $rows[0]);
if ($id === false || $grade === false || $modified === false) { exit(json_encode(['error' => 'invalidgradeimport'])); }
$found = [];
foreach (array_slice($rows, 1) as $row) {
    $found[substr($row[$id], strlen('Participant '))] = ['grade' => $row[$grade], 'modified' => strtotime($row[$modified]),
        'comment' => empty($comments) ? null : $row[$comments]];
}
echo json_encode($found);
"""


def moodle_php(path):
    """What PHP makes of a worksheet at ``path``: {participant id: {grade, modified (epoch), comment}}."""
    import json
    import subprocess
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".php") as script:
        script.write(MOODLE_PHP)
        script.flush()
        proc = subprocess.run(["php", script.name, str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)
