"""Late work: the policy in assignment.toml's ``[late]`` table, and how late a submission was.

The policy: a due date (``due``, ISO 8601 with its offset; ``grade --due`` overrides it), a
grace period (``grace_minutes``: as on time), a penalty in % of the maximum score for each
day late or part of a day (``penalty_percent_per_day``), and ``max_days``: later than that
the work earns nothing. Days are counted from the due date itself.

When a submission was made comes from, best first: the roster's submission time (read in
the due date's time zone when it names none), Gradescope's ``created_at``, a zip member's
time when the zip recorded it in UTC (Info-ZIP's extended timestamp). Canvas's ``LATE``
marker says only *that* Canvas thought it late. Whenever the time is unknown or uncertain (a
zip member's plain DOS time has no time zone) and the submission may be late, no penalty is
applied: the grade is flagged for a human instead.
"""
import json
import math
import struct
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .i18n import N_

DAY = timedelta(days=1)
ZONE_DOUBT = timedelta(hours=14)  # a time without a zone may be off by up to 14 hours (UTC-12 .. UTC+14)
UT_FIELD = 0x5455  # Info-ZIP extended timestamp: the modification time in UTC seconds
MOODLE_TIMES = ("%A, %d %B %Y, %I:%M %p", "%A, %d %B %Y, %H:%M", "%d %B %Y, %I:%M %p", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d %H:%M")


class PolicyError(Exception):
    """The late policy cannot be used; the message says which value is wrong."""


@dataclass
class Policy:
    due: datetime | None = None
    grace: timedelta = timedelta(0)
    percent_per_day: float = 0.0
    max_days: int | None = None

    @classmethod
    def from_config(cls, table, due=None):
        """From ``[late]`` (may be empty) and ``--due``; PolicyError names what is wrong."""
        due = due or table.get("due") or None
        try:
            policy = cls(parse_due(due) if due else None, timedelta(minutes=float(table.get("grace_minutes", 0))),
                         float(table.get("penalty_percent_per_day", 0)),
                         None if table.get("max_days") is None else int(table["max_days"]))
        except (TypeError, ValueError) as err:
            raise PolicyError(f"[late] in assignment.toml: {err}") from None
        if policy.percent_per_day < 0 or policy.grace < timedelta(0) or (policy.max_days or 0) < 0:
            raise PolicyError("[late] in assignment.toml: the penalty, grace period and max_days cannot be negative")
        return policy


def parse_due(text):
    try:
        due = datetime.fromisoformat(str(text))
    except ValueError:
        raise PolicyError(f"the due date {text!r} is not an ISO 8601 date and time, e.g. 2026-12-01T23:59+09:00")
    if due.tzinfo is None:
        raise PolicyError(f"the due date {text!r} names no time zone; add one, e.g. {text}+09:00")
    return due


def parse_time(text, zone):
    """A submission time as a roster or Gradescope writes it; naive times are in ``zone``. None if unreadable."""
    text = text.strip()
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        found = None
        for form in MOODLE_TIMES:
            try:
                found = datetime.strptime(text, form)
                break
            except ValueError:
                continue
    if found is None:
        return None
    return found if found.tzinfo else found.replace(tzinfo=zone or timezone.utc)


@dataclass
class Submitted:
    """What is known of when one submission was made."""
    at: datetime | None = None
    source: str = ""  # where ``at`` comes from: "roster", "Gradescope", "zip"
    exact: bool = True  # False: a time without a zone
    marker: bool | None = None  # the LMS's own verdict (Canvas's LATE); None: it gave none
    unreadable: str = ""  # a time that was given but could not be read


def zip_times(archive):
    """{member name: (time, exact)} of a zip: UTC when the member has an extended timestamp."""
    times = {}
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            utc = _extended_time(info.extra)
            times[info.filename] = (utc, True) if utc else (datetime(*info.date_time), False)
    return times


def _extended_time(extra):
    while len(extra) >= 4:
        kind, size = struct.unpack("<HH", extra[:4])
        body, extra = extra[4:4 + size], extra[4 + size:]
        if kind == UT_FIELD and len(body) >= 5 and body[0] & 1:
            return datetime.fromtimestamp(struct.unpack("<i", body[1:5])[0], timezone.utc)
    return None


def assess(policy, submitted):
    """The lateness of one submission: ``{"days", "percent", "flag", ...}`` (``flag``: why a human should look)."""
    found = {"due": policy.due.isoformat() if policy.due else None,
             "submitted_at": submitted.at.isoformat() if submitted.at else None,
             "source": submitted.source, "marker": submitted.marker, "days": 0, "percent": 0.0, "flag": None}
    if submitted.unreadable:
        return {**found, "flag": [N_("its submission time {time!r} could not be read"), {"time": submitted.unreadable}]}
    if policy.due is None:
        if submitted.marker:
            found["flag"] = [N_("the LMS marked it late, but no due date is set, so no penalty was applied"), {}]
        return found
    if submitted.at is None:
        if submitted.marker:
            found["flag"] = [N_("the LMS marked it late, but its submission time is unknown, so no penalty was "
                                "applied"), {}]
        elif submitted.marker is None:
            found["flag"] = [N_("its submission time is unknown, so lateness was not checked"), {}]
        return found
    at = submitted.at if submitted.at.tzinfo else submitted.at.replace(tzinfo=policy.due.tzinfo)
    late_by = at - policy.due
    if not submitted.exact and late_by > -ZONE_DOUBT - policy.grace:
        found["flag"] = [N_("the zip's time ({time}) has no time zone and may be after the due date, so no penalty "
                            "was applied"), {"time": submitted.at.strftime("%Y-%m-%d %H:%M")}]
        return found
    if late_by <= policy.grace:
        if submitted.marker:
            found["flag"] = [N_("the LMS marked it late, but it was submitted before the due date here"), {}]
        return found
    days = math.ceil(late_by / DAY)
    found["days"] = days
    found["percent"] = 100.0 if policy.max_days is not None and days > policy.max_days else \
        min(100.0, days * policy.percent_per_day)
    return found


def penalty(lateness, raw, maximum):
    """Points off ``raw`` for ``lateness`` (never more than the student earned)."""
    return min(raw, maximum * lateness.get("percent", 0) / 100) if lateness else 0.0


def from_gradescope(table, metadata):
    """How late Gradescope says a submission is, under the ``[late]`` policy ``table``, or None.

    Gradescope's /autograder/submission_metadata.json decides: ``created_at``, the assignment's
    ``due_date``, or a student's own ``users[].assignment.due_date`` when extended. Without
    the file, or without a due date anywhere, lateness is not checked.
    """
    try:
        meta = json.loads(Path(metadata).read_text())
        own = [(user.get("assignment") or {}).get("due_date") for user in meta.get("users") or []]
        due = next((d for d in own if d), None) or (meta.get("assignment") or {}).get("due_date")
        policy = Policy.from_config(table, due)
    except (OSError, ValueError, AttributeError, PolicyError):
        return None
    if policy.due is None:
        return None
    text = str(meta.get("created_at") or "")
    created = parse_time(text, None) if text else None
    return assess(policy, Submitted(created, "Gradescope", unreadable=text if text and created is None else ""))
