"""similarity.html: each pair of similar submissions side by side, the code they share highlighted
(similarity.py finds them; summary.html links to each pair's section)."""
import re
from html import escape

STYLE = """
body{font-family:system-ui,sans-serif;margin:1rem auto;padding:0 1rem;color:#222;max-width:120rem}
.sides{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,34rem),1fr));gap:1rem}
pre{background:#f6f8fa;padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85rem;margin:0;
    line-height:1.6}  /* a highlighted line must not cover the underscores of the line above */
mark{background:#ffd54f} h2,h3{overflow-wrap:anywhere} h3{font-size:1rem} section{margin-bottom:2.5rem}
"""


def anchor(a, b):
    return re.sub(r"[^\w.-]", "_", f"{a}--{b}")


def _pair(pair, code_a, code_b):
    sides = "".join(f"<div><h3>{escape(who)}: {share:.0%} of its code is shared</h3><pre>{code}</pre></div>"
                    for who, share, code in ((pair.a, pair.shared_a, code_a), (pair.b, pair.shared_b, code_b)))
    return (f'<section id="{anchor(pair.a, pair.b)}"><h2>{escape(pair.a)} and {escape(pair.b)}</h2>'
            f'<div class="sides">{sides}</div></section>')


def render(shown, found):
    """``shown``: (pair, code_a, code_b), each file's code HTML-escaped with the shared regions in <mark>,
    the closest of the ``found`` pairs above the threshold."""
    body = "\n".join(_pair(*pair) for pair in shown) or "<p>No pair above the threshold.</p>"
    if found > len(shown):
        body = f"<p>The {len(shown)} closest of {found:,} pairs above the threshold.</p>\n" + body
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Similar code</title><style>{STYLE}</style></head>\n<body>\n"
            "<h1>Similar code</h1>\n<p>Highlighted: code both share beyond the assignment's boilerplate (the "
            "release stub and the lesson's code), with every variable and string renamed alike. A human decides "
            'what it means; nothing was penalised. <a href="summary.html">Back to the class summary</a>.</p>\n'
            f"{body}\n</body></html>\n")
