"""What a grade is made of: results.json (Gradescope's schema), its statuses and wording, grades.csv.

The pages a student reads are made from it in pages/feedback.py (feedback.md and .html).

Files are written atomically (temporary file, then rename), so an interrupted
run never leaves a half-written result behind.
"""
import csv
import io
import json
import math
from functools import lru_cache
from pathlib import Path

import jsonschema

from . import files
from .i18n import _

SCHEMA = Path(__file__).with_name("schemas") / "gradescope_results.schema.json"
UNREADABLE = "your submission could not be read:"  # how results.json documents without a status said it
# Every status starts with one of these, the same words in the console, grades.csv,
# results.json (extra_data.status) and summary.html.
GRADED, UNREADABLE_STATUS, NOT_A_SUBMISSION, REJECTED, GRADING_ERROR, DUPLICATE, NO_SUBMISSION = (
    "graded", "unreadable", "not a submission", "rejected", "grading error", "duplicate name", "no submission")
KINDS = (GRADED, UNREADABLE_STATUS, NOT_A_SUBMISSION, REJECTED, GRADING_ERROR, NO_SUBMISSION)


def status_kind(line):
    """The kind a status line starts with (``graded; duplicate name: ...`` is graded)."""
    return next((kind for kind in KINDS if line.startswith(kind)), line.split(":")[0])


@lru_cache(maxsize=1)
def _validator():
    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))


def validate(results):
    """Raise jsonschema.ValidationError if ``results`` is not a valid Gradescope results.json."""
    _validator().validate(results)


def visible_output(check):
    """What a student may read about one check."""
    if check.hidden:
        return _("Hidden check: passed.") if check.passed else _("Hidden check: failed. Its inputs and details are not shown.")
    lines = [check.message] if check.message else []
    return "\n".join(lines + check.notes)


def per_function(outcome):
    table = {}
    for c in outcome.checks:
        got, most = table.get(c.function, (0.0, 0.0))
        table[c.function] = (got + c.points, most + c.max_points)
    return table


def plain(value):
    """Artifacts as JSON: numpy scalars and arrays become numbers and lists, nan and inf None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if value is None or isinstance(value, (bool, int, float, str)) else repr(value)


def _status(error, unreadable="", kind=None):
    """The status line of one grade, in English: its kind (GRADED, ...), then why."""
    if error:
        return f"{kind or GRADING_ERROR}: {error}"
    return f"{UNREADABLE_STATUS}: {unreadable}" if unreadable else GRADED


def status(results):
    """The status line of a results.json document (derived for documents older than the field)."""
    extra = results.get("extra_data", {})
    if extra.get("status"):
        return extra["status"]
    lines = results.get("output", "").splitlines()
    return _status(extra.get("error"), next((n[len(UNREADABLE):].strip() for n in lines if n.startswith(UNREADABLE)), ""))


def error_line(outcome, kind=None):
    """Why a submission has no grade (``kind``: NOT_A_SUBMISSION or GRADING_ERROR), for the student."""
    label = _("not a submission") if kind == NOT_A_SUBMISSION else _("grading error")
    return f"{label.capitalize()}: {outcome.error}"


def score_line(score, most):
    return _("Score: {score:g} / {most:g}").format(score=score, most=most)


def add_status_note(folder, note):
    """Append ``note`` (a duplicate name, say) to the status in ``folder``'s results.json."""
    results = read_results(folder)
    line = status(results)
    if note not in line:
        results["extra_data"]["status"] = f"{line}; {note}"
        files.atomic_write(Path(folder) / "results.json", json.dumps(results, indent=2))
    return results


def percent(fraction):
    return _("none") if fraction is None else f"{100 * fraction:.1f}%"


def training_lines(artifacts):
    """What the grader's training run of the student's network reached, and where it stopped.

    Built from ``artifacts["training"]`` (see CONTRACT: never the hidden checks' inputs); older
    results carry only ``test_accuracy``, and a submission that never reached training neither.
    """
    run = artifacts.get("training")
    accuracy = artifacts.get("test_accuracy")
    if not isinstance(run, dict):
        return [] if accuracy is None else [
            _("Test accuracy of your trained network: {accuracy}").format(accuracy=percent(accuracy))]
    accuracy = run.get("test_accuracy", accuracy)
    steps = _("{done:,} of {steps:,} steps").format(done=run.get("steps_done", 0), steps=run.get("steps", 0))
    if run.get("completed"):
        return [_("Training completed ({steps}); test accuracy of your network: {accuracy}").format(
            steps=steps, accuracy=percent(accuracy))]
    lines = [_("Training stopped after {steps}: {reason}").format(
        steps=steps, reason=run.get("stopped") or _("no reason was recorded"))]
    if accuracy is not None:
        lines.append(_("Test accuracy of the weights it reached: {accuracy}").format(accuracy=percent(accuracy)))
    return lines


def results_json(outcome, kind=None):
    """``kind``: the status word when ``outcome.error`` says why it is not graded (default: a grading error)."""
    tests = [{"name": c.name, "score": c.points, "max_score": c.max_points,
              "status": "passed" if c.passed else "failed", "output": visible_output(c),
              "visibility": "after_published" if c.hidden else "visible", "tags": [c.function]}
             for c in outcome.checks]
    artifacts = plain(outcome.artifacts)
    summary = [score_line(outcome.score, outcome.max_score)] + training_lines(artifacts) + outcome.notes
    if outcome.error:
        summary.insert(0, error_line(outcome, kind))
    results = {"score": outcome.score, "execution_time": round(outcome.seconds, 3),
               "output": "\n".join(summary), "stdout_visibility": "hidden", "tests": tests,
               "extra_data": {"student": outcome.student, "status": _status(outcome.error, outcome.unreadable, kind),
                              "error": outcome.error, **outcome.resources,
                              "functions": {f: list(v) for f, v in per_function(outcome).items()}}}
    if artifacts:
        results["extra_data"]["artifacts"] = artifacts
    if outcome.assignment:
        results["extra_data"]["assignment"] = outcome.assignment
    if outcome.grade_range:  # check: the public points `grade` would give, at least and at most
        results["extra_data"]["grade_range"] = list(outcome.grade_range)
    if outcome.confinement:
        results["extra_data"]["confinement"] = outcome.confinement
    validate(results)
    return results


def read_results(folder):
    return json.loads((Path(folder) / "results.json").read_text())


def function_columns(rows):
    """Every function (rubric line) any submission was scored on, in first-seen order."""
    return list(dict.fromkeys(f for r in rows for f in r.get("extra_data", {}).get("functions", {})))


def test_accuracy(results):
    """The accuracy the grader's training run reached (None when training never ran)."""
    artifacts = results.get("extra_data", {}).get("artifacts", {})
    return (artifacts.get("training") or {}).get("test_accuracy", artifacts.get("test_accuracy"))


def late_flag(results):
    """Why the lateness of a result needs a human (English), or ""."""
    flag = (results.get("extra_data", {}).get("late") or {}).get("flag")
    return flag[0].format(**flag[1]) if flag else ""


def grades_csv(rows, functions, id_column="student", flags=None, with_assignment=False):
    """``rows``: results.json documents. One line per student: who they are (from the LMS and
    the roster), the raw score, the late penalty and the final score, per-function points, and
    what a human should look at (``flags``: student id -> [why], e.g. copied code).

    ``id_column`` names the student column (e.g. an LMS's "SIS User ID"); ``with_assignment``
    adds the assignment each was graded for (a class that mixed several).
    """
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([id_column, *(["assignment"] if with_assignment else []), "name", "sis_id", "login", "email",
                     "section", "raw_score", "late_penalty", "score", "max_score", *functions, "test_accuracy",
                     "submitted_at", "days_late", "flags", "status"])
    for r in rows:
        extra = r.get("extra_data", {})
        who = extra.get("lms", {})
        lateness = extra.get("late") or {}
        points = extra.get("functions", {})
        max_score = sum(t["max_score"] for t in r["tests"])
        accuracy = test_accuracy(r)
        student = extra.get("student", "")
        notes = [n for n in [late_flag(r), *(flags or {}).get(student, [])] if n]
        writer.writerow([student, *([extra.get("assignment", "")] if with_assignment else []),
                         *(who.get(k, "") for k in ("name", "sis_id", "login", "email", "section")),
                         f"{extra.get('raw_score', r.get('score', 0)):g}", f"{lateness.get('penalty', 0):g}",
                         f"{r.get('score', 0):g}", f"{max_score:g}",
                         # a function of another assignment (a mixed class) is no column of this row's
                         *("" if points and f not in points else f"{points.get(f, [0])[0]:g}" for f in functions),
                         "" if accuracy is None else f"{accuracy:.4f}", lateness.get("submitted_at") or "",
                         lateness.get("days") or "", "; ".join(notes), status(r)])
    return buf.getvalue()
