"""A pair of similar submissions side by side, the code they share highlighted (similarity.py)."""
from html import escape

STYLE = """
body{font-family:system-ui,sans-serif;margin:1rem auto;padding:0 1rem;color:#222;max-width:120rem}
.sides{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,34rem),1fr));gap:1rem}
pre{background:#f6f8fa;padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85rem;margin:0;
    line-height:1.6}  /* a highlighted line must not cover the underscores of the line above */
mark{background:#ffd54f} h2{font-size:1.05rem;overflow-wrap:anywhere}
"""


def render(pair, code_a, code_b):
    """``code_a``/``code_b``: each file's code, HTML-escaped, shared regions in <mark>."""
    title = f"{pair.a} and {pair.b}"
    sides = "".join(f"<div><h2>{escape(who)}: {share:.0%} of its code is shared</h2><pre>{code}</pre></div>"
                    for who, share, code in ((pair.a, pair.shared_a, code_a), (pair.b, pair.shared_b, code_b)))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Similar code: {escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
            f"<h1>Similar code: {escape(title)}</h1>\n<p>Highlighted: code both share beyond the assignment's "
            "boilerplate (the release stub and the lesson's code), after renaming every variable and string. "
            "A human decides what it means; nothing was penalised.</p>\n"
            f'<p><a href="../summary.html">back to the class summary</a></p>\n<div class="sides">{sides}</div>\n'
            "</body></html>\n")
