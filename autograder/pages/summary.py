"""summary.html: the class at a glance, a course dashboard for instructors (hidden checks included).

Figures: the final scores (before late penalties too, when there were any), the pass rate of
every check, and the distribution of every numeric artifact the checks recorded
(``extra_data.artifacts``), e.g. a test accuracy. Tables: the checks failed most with their
most common likely causes, late and flagged work, who submitted nothing (the roster's), the
pairs of similar submissions (similarity.py) with links to their side-by-side pages, and every
student with their LMS id, name, scores and status.
"""
import statistics
from collections import Counter
from html import escape
from urllib.parse import quote

from .. import report
from ..amend import flag_text
from ..checks import cause_label
from . import plots

STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem auto;padding:0 1.5rem;color:#222;max-width:110rem}
table{border-collapse:collapse;margin:.6rem 0;max-width:100%} td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}
td{overflow-wrap:anywhere} td.n,td.id{text-align:right;white-space:nowrap} td.id{text-align:left} .bad{color:#c62828}
img{max-width:100%;height:auto} .wide img{width:100%}
@media (max-width:40rem){  /* a phone: each submission a block of labelled lines */
  table.subs tr:first-child{display:none} table.subs tr{display:block;border-top:1px solid #ccc;padding:.3rem 0}
  table.subs td{display:block;border:none;text-align:left} table.subs td:empty{display:none}
  table.subs td::before{content:attr(data-label) ": ";font-weight:600}}
.muted{color:#666} mark{background:#fff3e0}
.figs{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,30rem),1fr));gap:1rem;align-items:start}
"""


def _checks(rows):
    """name -> [passed, seen, hidden], grouped by function (hidden checks beside the public ones)."""
    table, function = {}, {}
    for r in rows:
        for t in r.get("tests", []):
            entry = table.setdefault(t["name"], [0, 0, t.get("visibility") != "visible"])
            entry[0] += t.get("status") == "passed"
            entry[1] += 1
            function.setdefault(t["name"], (t.get("tags") or [""])[0])
    order = list(dict.fromkeys(function.values()))
    return dict(sorted(table.items(), key=lambda item: order.index(function[item[0]])))  # stable sort


def _failures(rows, most=10):
    """The checks failed most: (name, failed, seen, [(likely cause, how many)])."""
    label = cause_label()
    seen, failed, causes = Counter(), Counter(), {}
    for r in rows:
        for t in r.get("tests", []):
            seen[t["name"]] += 1
            if t.get("status") != "passed":
                failed[t["name"]] += 1
                for line in t.get("output", "").splitlines():
                    if line.strip().startswith(label):
                        causes.setdefault(t["name"], Counter())[line.strip()[len(label):].strip()] += 1
    return [(name, n, seen[name], causes.get(name, Counter()).most_common(2)) for name, n in failed.most_common(most)]


def _failures_table(rows):
    found = _failures(rows)
    if not found:
        return []
    out = ["<h2>Checks failed most</h2>", '<table class="subs"><tr><th>check</th><th>failed</th>'
           "<th>most common likely causes</th></tr>"]
    for name, n, seen, causes in found:
        why = "<br>".join(f"{escape(c)} ({k})" for c, k in causes) or '<span class="muted">none recorded</span>'
        out.append(f'<tr><td data-label="check">{escape(name)}</td><td class=n data-label="failed">{n} of {seen}'
                   f'</td><td data-label="likely causes">{why}</td></tr>')
    return out + ["</table>"]


def _late_table(rows):
    """Late or flagged work: what was taken off, and what a human should look at."""
    found = [r for r in rows if (r.get("extra_data", {}).get("late") or {}).get("days")
             or report.late_flag(r)]
    if not found:
        return []
    out = ["<h2>Late work</h2>", "<p>Flagged rows were not penalised: their lateness is unknown or uncertain.</p>",
           '<table class="subs"><tr><th>student</th><th>submitted</th><th>days late</th><th>penalty</th>'
           "<th>flag</th></tr>"]
    for r in found:
        late = r["extra_data"].get("late") or {}
        out.append(f'<tr><td class=id data-label="student">{_who(r)}</td>'
                   f'<td data-label="submitted">{escape(late.get("submitted_at") or "unknown")}</td>'
                   f'<td class=n data-label="days late">{late.get("days") or ""}</td>'
                   f'<td class=n data-label="penalty">{late.get("penalty", 0):g}</td>'
                   f'<td data-label="flag"{" class=bad" if late.get("flag") else ""}>'
                   f'{escape(flag_text(late.get("flag")))}</td></tr>')
    return out + ["</table>"]


def _missing(rows):
    found = [r for r in rows if report.status(r) == report.NO_SUBMISSION]
    if not found:
        return []
    items = "".join(f"<li>{_who(r, link=False)}{_email(r)}</li>" for r in found)
    return [f"<h2>Submitted nothing ({len(found)})</h2>", "<p>On the roster, but not in the download.</p>",
            f"<ul>{items}</ul>"]


def _email(r):
    email = r.get("extra_data", {}).get("lms", {}).get("email")
    return f' <span class="muted">{escape(email)}</span>' if email else ""


def _similarity(copies, rows):
    if copies is None:
        return []
    names = {r.get("extra_data", {}).get("student"): (r.get("extra_data", {}).get("lms") or {}).get("name", "")
             for r in rows}

    def who(student):
        return escape(student) + (f" {escape(names[student])}" if names.get(student) else "")

    out = ["<h2>Similar submissions</h2>",
           f"<p>{copies.compared} submission(s) compared in {copies.seconds:.1f} s, beyond the code every student "
           "may copy (the release stub and the lesson's code); a pair is shown when either shares at least "
           f"{copies.threshold:.0%} of its own code with the other. For a human to judge: nothing was penalised.</p>"]
    if copies.found > len(copies.pairs):
        out.append(f"<p>The {len(copies.pairs)} closest of {copies.found:,} pairs above the threshold: many students "
                   "share one source.</p>")
    if copies.pairs:
        out += ['<table class="subs"><tr><th>student</th><th>student</th><th>shared</th><th>side by side</th></tr>']
        out += [f'<tr><td class=id data-label="student">{who(p.a)}</td>'
                f'<td class=id data-label="student">{who(p.b)}</td>'
                f'<td class=n data-label="shared">{p.shared_a:.0%} / {p.shared_b:.0%}</td>'
                f'<td data-label="side by side"><a href="{escape(quote(p.page, safe="/#"))}">compare</a></td></tr>'
                for p in copies.pairs]
        out.append("</table>")
    else:
        out.append("<p>No pair above the threshold.</p>")
    if copies.literals:
        out += ["<h3>Large data literals</h3>", "<p>Long strings or number lists typed into the code "
                "(weights, answers, a pickled model): worth a look.</p><ul>"]
        out += [f"<li>{who(student)}: {escape('; '.join(what))}</li>" for student, what in copies.literals.items()]
        out.append("</ul>")
    return out


def _who(r, link=True):
    """A row's student: the LMS id (linked to the feedback page) and the name the LMS gave."""
    extra = r.get("extra_data", {})
    student = extra.get("student", "?")
    name = (extra.get("lms") or {}).get("name")
    shown = (f'<a href="{escape(quote(student))}/feedback.html">{escape(student)}</a>' if link
             else escape(student))
    return shown + (f" {escape(name)}" if name else "")


def _numbers(rows):
    """artifact name -> the values submissions recorded for it (numbers only)."""
    found = {}
    for r in rows:
        for key, value in r.get("extra_data", {}).get("artifacts", {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                found.setdefault(key, []).append(value)
    return found


def _distribution(key, values):
    """The section for one numeric artifact; an accuracy (a fraction) is shown in % on 0-100%."""
    words = key.replace("_", " ").capitalize()
    if key.endswith("accuracy") and all(0 <= v <= 1 for v in values):
        values = [100 * v for v in values]
        stats = (f"median {statistics.median(values):.1f}%, min {min(values):.1f}%, "
                 f"max {max(values):.1f}%")
        figure = _figure(f"distribution of {key}", plots.histogram, values, f"{words} of the trained networks",
                         f"{words} (%)", 20, (0, 100))
    else:
        stats = f"median {statistics.median(values):.4g}, min {min(values):.4g}, max {max(values):.4g}"
        figure = _figure(f"distribution of {key}", plots.histogram, values, f"Distribution of {words.lower()}",
                         words, 20)
    return f"<div><h2>{escape(words)}</h2><p>{len(values)} submission(s) recorded it: {stats}.</p>{figure}</div>"


def _figure(alt, make, *args):
    try:
        return plots.img(make(*args), alt)
    except Exception as err:  # noqa: BLE001  the page is still useful without one figure
        return f"<p>(figure not drawn: {escape(str(err)[:200])})</p>"


def _functions(rows):
    """function -> (mean points, most points), over the submissions scored on it."""
    table = {}
    for r in rows:
        for f, (got, most) in r.get("extra_data", {}).get("functions", {}).items():
            table.setdefault(f, []).append((got, most))
    return {f: (statistics.mean(g for g, _ in v), max(m for _, m in v)) for f, v in table.items()}


def _training(r):
    """Where the grader's training run stopped, for a row (empty when it completed or never ran)."""
    run = r.get("extra_data", {}).get("artifacts", {}).get("training")
    return "" if not isinstance(run, dict) or run.get("completed") else \
        report.training_lines({"training": run})[0]


def render(rows, title="Class summary", copies=None):
    """``rows``: results.json documents, one per input (rejected inputs carry no tests);
    ``copies``: similarity.Copies, or None when it was not checked."""
    graded = [r for r in rows if r.get("tests")]
    scores = [r.get("score", 0) for r in graded]
    raw = [r.get("extra_data", {}).get("raw_score", r.get("score", 0)) for r in graded]
    maximum = max((sum(t["max_score"] for t in r.get("tests", [])) for r in rows), default=0)
    kinds = Counter(report.status_kind(report.status(r)) for r in rows)
    body = [f"<h1>{escape(title)}</h1>",
            f"<p>{len(rows)} input(s): " + ", ".join(f"{n} {escape(k)}" for k, n in kinds.items()) + ".</p>"]
    levels = Counter(r["extra_data"]["confinement"] for r in rows if r.get("extra_data", {}).get("confinement"))
    if levels:  # jail.py's levels; "basic" confines nothing but resources
        body.append("<p>Student code ran confined at the " + ", ".join(
            f'<span{" class=bad" if level == "basic" else ""}>{escape(level)}</span> level ({n} submission(s))'
            for level, n in levels.items()) + ' (see docs/security.md, "Security model").</p>')
    figures = []
    if scores:
        body.append(f"<p>Final score: mean {statistics.mean(scores):.1f}, median {statistics.median(scores):g}, "
                    f"min {min(scores):g}, max {max(scores):g} (out of {maximum:g})"
                    + (f"; before late penalties: mean {statistics.mean(raw):.1f}, "
                       f"{sum(a != b for a, b in zip(raw, scores))} penalised" if raw != scores else "") + ".</p>")
        figures.append("<div><h2>Scores</h2>" + _figure(
            "score histogram", plots.scores, scores, raw if raw != scores else None, maximum) + "</div>")
    figures += [_distribution(key, values) for key, values in _numbers(graded).items()]
    if figures:
        body.append('<div class="figs">' + "\n".join(figures) + "</div>")
    body += _missing(rows) + _late_table(rows) + _similarity(copies, rows)
    body += _failures_table([r for r in rows if report.status_kind(report.status(r)) == report.GRADED])
    functions = _functions(rows)
    if functions:
        body += ["<h2>Points per function</h2>", "<table><tr><th>function</th><th>mean points</th></tr>"]
        body += [f"<tr><td><code>{escape(f)}</code></td><td class=n>{mean:.1f} / {most:g}</td></tr>"
                 for f, (mean, most) in functions.items()]
        body.append("</table>")
    checks = _checks([r for r in rows if report.status_kind(report.status(r)) == report.GRADED])
    if checks:
        names = list(checks)
        body += ["<h2>Which checks the class struggles with</h2>",
                 "<p>Over the submissions that could be read; hidden checks hatched, beside their function's.</p>",
                 '<div class="wide">',
                 _figure("pass rate of every check", plots.pass_rates, names,
                         [p / n for p, n, _ in checks.values()], [h for *_, h in checks.values()]), "</div>"]
    body += ["<h2>Submissions</h2>", '<table class="subs"><tr><th>student</th><th>score</th><th>late penalty</th>'
             "<th>test accuracy</th><th>training</th><th>status</th></tr>"]
    for r in sorted(rows, key=lambda r: r.get("score", 0)):
        status = report.status(r)
        accuracy = report.test_accuracy(r)
        penalty = (r.get("extra_data", {}).get("late") or {}).get("penalty")
        linked = bool(r.get("tests")) or not status.startswith((report.REJECTED, report.NO_SUBMISSION))
        body.append(f'<tr><td class=id data-label="student">{_who(r, linked)}</td>'
                    f'<td class=n data-label="score">{r.get("score", 0):g}</td>'
                    f'<td class=n data-label="late penalty">{f"{penalty:g}" if penalty else ""}</td>'
                    f'<td class=n data-label="test accuracy">{"" if accuracy is None else report.percent(accuracy)}</td>'
                    f'<td data-label="training">{escape(_training(r))}</td>'
                    f'<td data-label="status"{"" if status.startswith(report.GRADED) else " class=bad"}>'
                    f'{escape(status[:300])}</td></tr>')
    body.append("</table>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")
