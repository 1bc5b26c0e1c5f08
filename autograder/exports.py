"""The LMS's own import file, written beside grades.csv for a Canvas or a Moodle download.

- ``canvas_gradebook.csv``: Canvas's gradebook import (canvas.py): the final score of every
  student the download named, in the assignment's column ``Title (id)`` (``--lms-assignment``,
  else the one column of a Canvas gradebook export given as ``--roster``). Anonymous entries
  cannot be imported until Canvas reveals who they are: they are listed instead.
- ``moodle_grading_worksheet.csv``: Moodle's offline grading worksheet (moodle.py), with the
  score and the late penalty as the feedback comment.

Scores are scaled to the LMS assignment's points when the roster names them. A result without
a grade (nothing was submitted, or no file) is left out: the LMS keeps what it has.
"""
from datetime import datetime, timezone

from . import canvas, files, moodle, report

FILES = {canvas.NAME: "canvas_gradebook.csv", moodle.NAME: "moodle_grading_worksheet.csv"}


def _grades(rows, source, points):
    """(row, identity, grade in the LMS's points) for every graded row of ``source``'s students."""
    for r in rows:
        who = r.get("extra_data", {}).get("lms") or {}
        if who.get("lms") != source or not r.get("tests"):
            continue
        maximum = sum(t["max_score"] for t in r["tests"])
        scale = points / maximum if points and maximum else 1
        yield r, who, round(r.get("score", 0) * scale, 2)


def write(out_dir, source, rows, assignment, people=None, column=None):
    """Write ``source``'s import file into ``out_dir``; what the instructor should know."""
    if source not in FILES:
        return []
    points = people.points if people and people.points else None
    path = out_dir / FILES[source]
    if source == canvas.NAME:
        text, messages = _canvas(rows, assignment, people, column, points)
    else:
        text, messages = _moodle(rows, points), []
    files.atomic_write(path, text)
    return messages + [f"{source.capitalize()} import file: {path}"]


def _canvas(rows, assignment, people, column, points):
    messages = []
    column = column or (people.assignment_column if people else "") or assignment.config.get("title", assignment.id)
    if not canvas.TITLE_AND_ID.match(column):
        messages.append(f"[yellow]the Canvas column {column!r} names no assignment id: Canvas matches it by title, "
                        "else creates a new assignment; pass --lms-assignment 'Title (id)' or the gradebook "
                        "export as --roster[/]")
    found, hidden = [], []
    for r, who, grade in _grades(rows, canvas.NAME, points):
        if who.get("anonymous"):
            hidden.append(who["id"])
        else:
            found.append({**who, "grade": grade})
    if hidden:
        messages.append(f"[yellow]not in the Canvas import, anonymous until Canvas reveals them: "
                        f"{', '.join(hidden)}[/]")
    maximum = points or max((sum(t["max_score"] for t in r["tests"]) for r in rows if r.get("tests")), default=0)
    return canvas.gradebook_csv(found, column, maximum), messages


def _moodle(rows, points):
    found, maximum = [], points or 0
    for r, who, grade in _grades(rows, moodle.NAME, points):
        extra = r["extra_data"]
        most = sum(t["max_score"] for t in r["tests"])
        maximum = points or max(maximum, most)
        comment = " ".join([report.score_line(r["score"], most), *extra.get("lms_lines", [])])
        found.append({**who, "grade": grade, "comment": comment})
    modified = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return moodle.worksheet_csv(found, maximum, modified)
