"""feedback.html: a student's results as a page they can act on.

Built only from a results.json document, whose test outputs are already what the
student may read (``report.visible_output``): a hidden check shows its title, pass or
fail and points, nothing else. Expected/received lines and the likely cause are laid
out apart from the message; ``extra_data.artifacts.plots`` becomes a training-curve figure.
"""
import re
from html import escape

from .. import i18n, report
from ..checks import cause_label, value_labels
from ..i18n import _

STYLE = """
body{font-family:system-ui,sans-serif;max-width:90rem;margin:1.5rem auto;padding:0 1.5rem;color:#222}
h1{margin-bottom:.2rem;overflow-wrap:anywhere} .score{font-size:1.4rem;font-weight:600}
table{border-collapse:collapse;margin:.6rem 0;max-width:100%} td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
td{overflow-wrap:anywhere} img{max-width:100%;height:auto}
.check{margin:.5rem 0 .9rem;overflow-wrap:anywhere} .pass{color:#1a7f37} .fail{color:#c62828} .hidden{color:#666;font-style:italic}
pre{background:#f6f8fa;padding:.5rem;margin:.3rem 0;white-space:pre-wrap;overflow-wrap:anywhere}
.training{background:#e8f5e9;border-left:4px solid #2e7d32;padding:.3rem .6rem;margin:.3rem 0}
.training.stopped{background:#ffebee;border-left-color:#c62828}
.cause{background:#fff8e1;border-left:4px solid #f9a825;padding:.3rem .6rem;margin:.3rem 0}
.pairs td:first-child{font-weight:600} .note{background:#eef;padding:.5rem}
.late{background:#fff3e0;border-left:4px solid #ef6c00;padding:.3rem .6rem;margin:.3rem 0;overflow-wrap:anywhere}
"""


def _check(test):
    passed = test.get("status") == "passed"
    mark = ('<span class="pass">&#10004; ' + escape(_("PASS")) + "</span>" if passed else
            '<span class="fail">&#10008; ' + escape(_("FAIL")) + "</span>")
    title = test["name"].split(": ", 1)[-1]
    points = f"{test['score']:g} / {test['max_score']:g}"
    if test.get("visibility") != "visible":  # hidden: pass/fail and points only
        hidden = escape(_("(hidden check: its inputs and details are not shown)"))
        return f'<div class="check">{mark} {escape(title)} <span class="hidden">{hidden}</span> &mdash; {points}</div>'
    out = [f'<div class="check">{mark} {escape(title)} &mdash; {points}']
    labels = "|".join(re.escape(label) for label in value_labels().values())
    pair = re.compile(rf"^\s*({labels})\s+(.*)$")
    cause = cause_label()
    message, pairs, causes = [], [], []
    for line in test.get("output", "").splitlines():
        if line.strip().startswith(cause):
            causes.append(line.strip()[len(cause):].strip())
        elif pair.match(line):
            pairs.append(pair.match(line).groups())
        elif line.strip():
            message.append(line)
    if message:
        out.append(f"<pre>{escape(chr(10).join(message))}</pre>")
    if pairs:
        out.append('<table class="pairs">' + "".join(
            f"<tr><td>{escape(k)}</td><td><code>{escape(v)}</code></td></tr>" for k, v in pairs) + "</table>")
    out += [f'<div class="cause"><b>{escape(cause)}</b> {escape(c)}</div>' for c in causes]
    return "\n".join(out) + "</div>"


def _curves_caption(plots):
    if any("reference" in plot.get("series", {}) for plot in plots):
        return _("The grader trained your network on its schedule; dashed orange: the reference solution "
                 "on the same schedule.")
    return _("Your network, trained on this machine with the grader's schedule.")


def _curves(plots):
    try:
        from . import plots as figures
        return figures.img(figures.curves(plots), _("your training curves next to the reference's"))
    except Exception as err:  # a figure is a bonus: never lose the feedback over it
        return "<p>" + escape(_("(the training-curve figure could not be drawn: {error})").format(
            error=str(err)[:200])) + "</p>"


def score_block(results):
    """The score at the top of the page, with what the LMS's facts changed (amend.py replaces it)."""
    total = sum(t["max_score"] for t in results.get("tests", []))
    lines = results.get("extra_data", {}).get("lms_lines", [])
    return (f'<p class="score">{escape(report.score_line(results.get("score", 0), total))}</p>'
            + "".join(f'<div class="late">{escape(line)}</div>' for line in lines))


def render(results, printed="", title=None):
    """The page for one results.json document; ``printed`` is what the student's code printed."""
    title = title or _("Feedback")
    extra = results.get("extra_data", {})
    student = extra.get("student", "")
    tests = results.get("tests", [])
    total = sum(t["max_score"] for t in tests)
    score = report.score_line(results.get("score", 0), total)
    body = [f"<h1>{escape(title)}: {escape(student)}</h1>", score_block(results)]
    artifacts = extra.get("artifacts", {})
    training = report.training_lines(artifacts)  # shown in their own section below
    shown = {score, *training, *extra.get("lms_lines", [])}
    about = [line for line in results.get("output", "").splitlines() if line not in shown]
    if about:
        body.append('<div class="note"><b>' + escape(_("About your submission")) + "</b>"
                    f"<pre>{escape(chr(10).join(about))}</pre></div>")
    functions = list(dict.fromkeys(t.get("tags", ["other"])[0] for t in tests))
    points = extra.get("functions", {})
    body.append("<table><tr><th>" + escape(_("function")) + "</th><th>" + escape(_("points")) + "</th></tr>" + "".join(
        f"<tr><td><code>{escape(f)}</code></td><td>{points[f][0]:g} / {points[f][1]:g}</td></tr>"
        for f in functions if f in points) + "</table>")
    plots = artifacts.get("plots")
    if training or plots:
        body.append("<h2>" + escape(_("Training your network")) + "</h2>")
    if training:
        stopped = (artifacts.get("training") or {}).get("completed") is False
        body += [f'<div class="training{" stopped" if stopped else ""}">{escape(line)}</div>' for line in training]
    if plots:
        body += [f"<p>{escape(_curves_caption(plots))}</p>", _curves(plots)]
    for function in functions:
        body.append(f"<h2><code>{escape(function)}</code></h2>")
        body += [_check(t) for t in tests if t.get("tags", ["other"])[0] == function]
    if printed.strip():
        lines = printed.strip().splitlines()[:40]
        body += ["<h2>" + escape(_("What your code printed (the first lines)")) + "</h2>",
                 f"<pre>{escape(chr(10).join(lines))}</pre>"]
    return (f"<!DOCTYPE html>\n<html lang=\"{escape(i18n.current())}\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}: {escape(student)}</title><style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def _score_markdown(score, most, lms_lines=()):
    return f"**{report.score_line(score, most)}**" + "".join(f"\n\n> {line}" for line in lms_lines)


def score_markdown(results):
    """The score at the top of a results document's feedback.md, with the LMS's facts (amend.py)."""
    return _score_markdown(results.get("score", 0), sum(t["max_score"] for t in results.get("tests", [])),
                           results.get("extra_data", {}).get("lms_lines", []))


def markdown(outcome, kind=None):
    """feedback.md: the same as feedback.html, for an e-mail or an LMS comment box."""
    out = ["# " + _("Feedback") + f": {outcome.student}", "", _score_markdown(outcome.score, outcome.max_score), ""]
    if outcome.error:
        out += [f"> {report.error_line(outcome, kind)}", ""]
    if outcome.notes:
        out += ["## " + _("About your submission"), ""] + [f"- {n}" for n in outcome.notes] + [""]
    training = report.training_lines(report.plain(outcome.artifacts))
    if training:
        out += ["## " + _("Training your network"), ""] + [f"- {line}" for line in training] + [""]
    out += ["| " + _("function") + " | " + _("points") + " |", "|---|---|"]
    out += [f"| `{f}` | {got:g} / {most:g} |" for f, (got, most) in report.per_function(outcome).items()]
    for function in report.per_function(outcome):
        out += ["", f"## `{function}`", ""]
        for c in (c for c in outcome.checks if c.function == function):
            mark = "✅" if c.passed else "❌"
            kind = " (" + _("hidden") + ")" if c.hidden else ""
            out.append(f"- {mark} {c.title}{kind}: {c.points:g} / {c.max_points:g}")
            text = report.visible_output(c) if not c.passed or c.notes else ""
            if text and not (c.hidden and c.passed):
                out += ["", "  ```text", *[f"  {line}" for line in text.splitlines()], "  ```", ""]
    if outcome.output.strip():
        out += ["", "## " + _("What your code printed (the first lines)"), "", "```text",
                *outcome.output.strip().splitlines()[:40], "```"]
    return "\n".join(out) + "\n"
