"""Matplotlib figures as self-contained <img> tags (base64 PNG), for the HTML reports.

Trusted side only: it draws numbers the grader computed, never objects from student code.
"""
import base64
import html
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402  (after choosing the backend)
from matplotlib.figure import Figure  # noqa: E402

from ..i18n import _  # noqa: E402

# DejaVu Sans has no Hangul: a Korean course's figures fall back, glyph by glyph, to a CJK
# font when one is installed (Debian: fonts-nanum; .ci/run installs it).
CJK_FONTS = ("NanumGothic", "Noto Sans CJK KR", "Noto Sans KR")
CJK_FILES = ("NanumGothic*.tt[fc]", "NotoSansCJK*-Regular.tt[fc]", "NotoSansKR*.[to]tf")
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")


def use_cjk_fonts(manager=font_manager.fontManager, folders=FONT_FOLDERS):
    """Put the CJK fonts found in the figures' fallback list. Matplotlib's font cache is built once:
    a font installed after it (fonts-nanum after the first import) is not in it, so a missing
    one's file is registered directly (FontManager.addfont); the cache on disk is left alone."""
    installed = {font.name for font in manager.ttflist}
    for pattern in CJK_FILES:
        for folder in map(Path, folders):
            for path in sorted(folder.expanduser().rglob(pattern)) if folder.expanduser().is_dir() else []:
                if font_manager.FontProperties(fname=path).get_name() not in installed:
                    manager.addfont(str(path))
                    installed.add(font_manager.FontProperties(fname=path).get_name())
    found = [name for name in CJK_FONTS if name in installed]
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", *found]
    return found


use_cjk_fonts()

# The reference is drawn first, wide, dashed and orange, so that a curve identical to it
# ("yours", thin and blue on top) still shows it on both sides.
STYLES = {"yours": {"color": "tab:blue", "linewidth": 1.6, "zorder": 3},
          "reference": {"color": "tab:orange", "linewidth": 3.5, "linestyle": "--", "alpha": 0.8, "zorder": 2}}


def img(fig, alt):
    """The figure as an <img> with its PNG inline."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=144, bbox_inches="tight")  # sharp when a page scales it up
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def figure(width=6.4, height=3.6):
    return Figure(figsize=(width, height), layout="constrained")


def _legend(series):
    """A curve's name in the student's language (the series keys are data, always English)."""
    return {"yours": _("your network"), "reference": _("reference solution")}.get(series, series)


def curves(plots):
    """One panel per plot: ``{"title", "xlabel", "ylabel", "series": {label: {"x", "y"}}}``."""
    fig = figure(5.0 * len(plots), 3.4)
    for ax, plot in zip(fig.subplots(1, len(plots), squeeze=False)[0], plots):
        for label, series in plot.get("series", {}).items():
            points = [(x, y) for x, y in zip(series.get("x", []), series.get("y", [])) if y is not None]
            if points:
                xs, ys = zip(*points)
                ax.plot(xs, ys, marker="o" if len(xs) < 20 and label != "reference" else None, markersize=3,
                        label=_legend(label), **STYLES.get(label, {}))
        ax.set(title=plot.get("title", ""), xlabel=plot.get("xlabel", ""), ylabel=plot.get("ylabel", ""))
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


def histogram(values, title, xlabel, bins=20, value_range=None):
    fig = figure()
    ax = fig.subplots()
    ax.hist(values, bins=bins, range=value_range, color="tab:blue", edgecolor="white")
    ax.set(title=title, xlabel=xlabel, ylabel="submissions")
    if value_range:  # one value alone would otherwise get an axis around it (0.6 to 1.4 for 1.0)
        ax.set_xlim(value_range)
    ax.yaxis.get_major_locator().set_params(integer=True)
    return fig


def scores(final, raw, maximum):
    """The final scores; ``raw`` (or None): before late penalties, drawn as an outline behind."""
    fig = figure()
    ax = fig.subplots()
    bins = min(max(int(maximum) // 5, 1), 20) if maximum else 10
    value_range = (0, maximum or 1)
    ax.hist(final, bins=bins, range=value_range, color="tab:blue", edgecolor="white", label="final score")
    if raw is not None:
        ax.hist(raw, bins=bins, range=value_range, histtype="step", color="tab:orange", linewidth=2,
                linestyle="--", label="before late penalties")
        ax.legend()
    ax.set(title="Final scores" + (" and late penalties" if raw is not None else ""), xlabel="score",
           ylabel="submissions", xlim=value_range)
    ax.yaxis.get_major_locator().set_params(integer=True)
    return fig


def rate_colour(rate):
    """Green when most pass, orange in between, red when most fail."""
    return "tab:green" if rate >= 0.8 else "tab:orange" if rate >= 0.5 else "tab:red"


def pass_rates(names, rates, hidden):
    """Horizontal bars, one per check, hidden ones hatched."""
    fig = figure(12.0, 0.28 * len(names) + 1.2)
    ax = fig.subplots()
    positions = range(len(names))[::-1]
    bars = ax.barh(list(positions), [100 * r for r in rates], color=[rate_colour(r) for r in rates])
    for bar, secret in zip(bars, hidden):
        if secret:
            bar.set_hatch("//")
    ax.set_yticks(list(positions), [n + (" (hidden)" if h else "") for n, h in zip(names, hidden)],
                  fontsize=8)
    ax.set(xlim=(0, 100), xlabel="% of submissions passing", title="Pass rate of every check")
    ax.grid(axis="x", alpha=0.3)
    return fig
