"""What the LMS knows, added to a finished grade: who the student is, which version was graded,
and the late penalty.

Grading gives the raw score (the same bytes, the same grade); the batch then amends each
results folder on the trusted side, for every backend alike: results.json gets the final
``score``, ``extra_data.raw_score``, ``extra_data.late`` and ``extra_data.lms``, and the
student's feedback (results.json's output, feedback.md and feedback.html) says what was done.
Amending again from the same facts gives the same files (``--resume`` amends every result).
"""
import json
from pathlib import Path

from . import files, late, report
from .i18n import _
from .pages import feedback


def flag_text(flag, translate=False):
    """A lateness flag (``[template, fields]``) in English, or in the student's language."""
    if not flag:
        return ""
    template, fields = flag
    return (_(template) if translate else template).format(**fields)


def _lines(extra, maximum):
    """What the student reads about the LMS's facts, in their language."""
    lines = [_(template).format(**fields) for template, fields in extra.get("versions", [])]
    lateness = extra.get("late") or {}
    if lateness.get("flag"):
        lines.append(_("Lateness: {why}").format(why=flag_text(lateness["flag"], translate=True)))
    elif lateness.get("days"):
        lines.append(_("Late by {days} day(s) (submitted {time}, due {due}): {percent:g} percent of {maximum:g} points "
                       "off, {penalty:g} points; score before the penalty {raw:g}").format(
            days=lateness["days"], time=lateness["submitted_at"], due=lateness["due"], percent=lateness["percent"],
            maximum=maximum, penalty=lateness["penalty"], raw=extra["raw_score"]))
    return lines


def amend(folder, identity=None, versions=(), lateness=None):
    """Rewrite ``folder``'s grade with these facts; its results.json document."""
    folder = Path(folder)
    results = report.read_results(folder)
    before = json.loads(json.dumps(results))
    extra = results.setdefault("extra_data", {})
    maximum = sum(t["max_score"] for t in results.get("tests", []))
    raw = extra.get("raw_score", results.get("score", 0))
    extra["raw_score"] = raw
    if identity:
        extra["lms"] = identity
    extra["versions"] = [list(v) for v in versions]
    if lateness and results.get("tests"):
        lateness = {**lateness, "penalty": late.penalty(lateness, raw, maximum)}
        extra["late"] = lateness
    else:
        extra.pop("late", None)
    results["score"] = raw - (extra.get("late") or {}).get("penalty", 0)
    old_lines = extra.get("lms_lines", [])
    extra["lms_lines"] = _lines(extra, maximum)
    results["output"] = _output(before, results, old_lines, maximum)
    report.validate(results)
    if results != before:
        _rewrite_pages(folder, before, results)
        files.atomic_write(folder / "results.json", json.dumps(results, indent=2))
    return results


def _output(before, results, old_lines, maximum):
    old_score = report.score_line(before.get("score", 0), maximum)
    lines = [line for line in before.get("output", "").splitlines() if line not in old_lines]
    new = [report.score_line(results["score"], maximum), *results["extra_data"]["lms_lines"]]
    if old_score in lines:
        at = lines.index(old_score)
        return "\n".join(lines[:at] + new + lines[at + 1:])
    return "\n".join(new + lines)


def _rewrite_pages(folder, before, after):
    """feedback.md and .html as the grader wrote them, their score block replaced (or the page rebuilt)."""
    for name, block, rebuild in (("feedback.md", feedback.score_markdown, None),
                                 ("feedback.html", feedback.score_block, feedback.render)):
        path = folder / name
        text = path.read_text() if path.is_file() else ""
        if block(before) in text:
            files.atomic_write(path, text.replace(block(before), block(after), 1))
        elif rebuild:
            files.atomic_write(path, rebuild(after))
