"""summary.html: the class at a glance, for instructors (hidden checks included).

Figures: the score histogram, the pass rate of every check, and the distribution of
every numeric artifact the checks recorded (``extra_data.artifacts``), e.g. a test accuracy.
"""
import statistics
from html import escape
from urllib.parse import quote

from . import plots

STYLE = """
body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.6rem 0} td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}
td.n{text-align:right} .bad{color:#c62828}
"""


def _checks(rows):
    """name -> [passed, seen, hidden], in first-seen order."""
    table = {}
    for r in rows:
        for t in r.get("tests", []):
            entry = table.setdefault(t["name"], [0, 0, t.get("visibility") != "visible"])
            entry[0] += t.get("status") == "passed"
            entry[1] += 1
    return table


def _numbers(rows):
    """artifact name -> the values submissions recorded for it (numbers only)."""
    found = {}
    for r in rows:
        for key, value in r.get("extra_data", {}).get("artifacts", {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                found.setdefault(key, []).append(value)
    return found


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


def render(rows, title="Class summary", problems=(), notes=None):
    """``rows``: results.json documents of the graded submissions; ``problems``: (name, reason)
    for inputs that could not be graded at all (rejected archive members); ``notes``: student ->
    a remark for its status (a duplicate name, an unreadable file)."""
    scores = [r.get("score", 0) for r in rows]
    maximum = max((sum(t["max_score"] for t in r.get("tests", [])) for r in rows), default=0)
    errors = [r for r in rows if r.get("extra_data", {}).get("error")]
    body = [f"<h1>{escape(title)}</h1>",
            f"<p>{len(rows)} submission(s) graded"
            + (f", {len(errors)} with a grading error" if errors else "")
            + (f", {len(problems)} input(s) rejected" if problems else "") + ".</p>"]
    if scores:
        body.append(f"<p>Score: mean {statistics.mean(scores):.1f}, median {statistics.median(scores):g}, "
                    f"min {min(scores):g}, max {max(scores):g} (out of {maximum:g}).</p>")
        body.append(_figure("score histogram", plots.histogram, scores, "Scores", "score",
                            min(max(int(maximum) // 5, 1), 20) if maximum else 10, (0, maximum or 1)))
    functions = _functions(rows)
    if functions:
        body += ["<h2>Points per function</h2>", "<table><tr><th>function</th><th>mean points</th></tr>"]
        body += [f"<tr><td><code>{escape(f)}</code></td><td class=n>{mean:.1f} / {most:g}</td></tr>"
                 for f, (mean, most) in functions.items()]
        body.append("</table>")
    checks = _checks(rows)
    if checks:
        names = list(checks)
        body += ["<h2>Which checks the class struggles with</h2>",
                 _figure("pass rate of every check", plots.pass_rates, names,
                         [p / n for p, n, _ in checks.values()], [h for *_, h in checks.values()])]
    for key, values in _numbers(rows).items():
        body += [f"<h2>{escape(key.replace('_', ' '))}</h2>",
                 f"<p>{len(values)} submission(s) recorded it: median {statistics.median(values):.4g}, "
                 f"min {min(values):.4g}, max {max(values):.4g}.</p>",
                 _figure(f"distribution of {key}", plots.histogram, values,
                         f"Distribution of {key.replace('_', ' ')}", key, 20)]
    body += ["<h2>Submissions</h2>", "<table><tr><th>student</th><th>score</th><th>status</th></tr>"]
    for r in sorted(rows, key=lambda r: r.get("score", 0)):
        extra = r.get("extra_data", {})
        student = extra.get("student", "?")
        status = "; ".join(filter(None, [extra.get("error") or "graded", (notes or {}).get(student)]))
        link = f'<a href="{escape(quote(student))}/feedback.html">{escape(student)}</a>'
        body.append(f"<tr><td>{link}</td><td class=n>{r.get('score', 0):g}</td>"
                    f"<td{' class=bad' if extra.get('error') else ''}>{escape(status[:200])}</td></tr>")
    body += [f"<tr><td>{escape(name)}</td><td class=n>0</td><td class=bad>{escape(reason)}</td></tr>"
             for name, reason in problems]
    body.append("</table>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")
