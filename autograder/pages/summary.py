"""summary.html: the class at a glance, for instructors (hidden checks included).

Figures: the score histogram, the pass rate of every check, and the distribution of
every numeric artifact the checks recorded (``extra_data.artifacts``), e.g. a test accuracy.
"""
import statistics
from collections import Counter
from html import escape
from urllib.parse import quote

from .. import report
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


def render(rows, title="Class summary"):
    """``rows``: results.json documents, one per input (rejected inputs carry no tests)."""
    graded = [r for r in rows if r.get("tests")]
    scores = [r.get("score", 0) for r in graded]
    maximum = max((sum(t["max_score"] for t in r.get("tests", [])) for r in rows), default=0)
    kinds = Counter(report.status_kind(report.status(r)) for r in rows)
    body = [f"<h1>{escape(title)}</h1>",
            f"<p>{len(rows)} input(s): " + ", ".join(f"{n} {escape(k)}" for k, n in kinds.items()) + ".</p>"]
    levels = Counter(r["extra_data"]["confinement"] for r in rows if r.get("extra_data", {}).get("confinement"))
    if levels:  # jail.py's levels; "basic" confines nothing but resources
        body.append("<p>Student code ran confined at the " + ", ".join(
            f'<span{" class=bad" if level == "basic" else ""}>{escape(level)}</span> level ({n} submission(s))'
            for level, n in levels.items()) + ' (see the README, "Security model").</p>')
    figures = []
    if scores:
        body.append(f"<p>Score: mean {statistics.mean(scores):.1f}, median {statistics.median(scores):g}, "
                    f"min {min(scores):g}, max {max(scores):g} (out of {maximum:g}).</p>")
        figures.append("<div><h2>Scores</h2>" + _figure(
            "score histogram", plots.histogram, scores, "Scores", "score",
            min(max(int(maximum) // 5, 1), 20) if maximum else 10, (0, maximum or 1)) + "</div>")
    figures += [_distribution(key, values) for key, values in _numbers(graded).items()]
    if figures:
        body.append('<div class="figs">' + "\n".join(figures) + "</div>")
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
    body += ["<h2>Submissions</h2>", '<table class="subs"><tr><th>student</th><th>score</th><th>test accuracy</th>'
             "<th>training</th><th>status</th></tr>"]
    for r in sorted(rows, key=lambda r: r.get("score", 0)):
        extra = r.get("extra_data", {})
        student = extra.get("student", "?")
        status = report.status(r)
        accuracy = report.test_accuracy(r)
        name = (f'<a href="{escape(quote(student))}/feedback.html">{escape(student)}</a>'
                if r.get("tests") or not status.startswith(report.REJECTED) else escape(student))
        body.append(f'<tr><td class=id data-label="student">{name}</td>'
                    f'<td class=n data-label="score">{r.get("score", 0):g}</td>'
                    f'<td class=n data-label="test accuracy">{"" if accuracy is None else report.percent(accuracy)}</td>'
                    f'<td data-label="training">{escape(_training(r))}</td>'
                    f'<td data-label="status"{"" if status.startswith(report.GRADED) else " class=bad"}>'
                    f'{escape(status[:300])}</td></tr>')
    body.append("</table>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")
