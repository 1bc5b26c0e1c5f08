"""Headless Chromium for the page tests: screenshots and layout facts measured by the browser itself.

Debian's ``chromium`` (.ci/run installs it). The flags keep it from reaching out to Google's
services (refused here anyway) and from touching any profile but a fresh, empty one.
"""
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--virtual-time-budget=5000"]
# Run once the page (inline images included) has loaded; its result becomes an attribute
# that --dump-dom prints.
PROBE = """<script>addEventListener("load", () => {
  const main = [...document.body.children].reduce((a, b) =>
      (b.getBoundingClientRect().width > a.getBoundingClientRect().width ? b : a));
  const overflowing = [...document.querySelectorAll("pre, td, img, table, div, p")]
      .filter(e => e.getBoundingClientRect().right > innerWidth + 1).map(e => e.tagName);
  document.documentElement.setAttribute("data-layout", JSON.stringify({
    viewport: innerWidth, scrollWidth: document.documentElement.scrollWidth,
    bodyWidth: document.body.getBoundingClientRect().width,
    mainWidth: main.getBoundingClientRect().width, overflowing,
    contentRight: Math.max(...[...document.querySelectorAll("img, pre, table, .figs, .note, .training, .cause")]
        .map(e => e.getBoundingClientRect().right)),
    sideScrollers: [...document.querySelectorAll("pre")].filter(e => e.scrollWidth > e.clientWidth + 1).length,
  }));
});</script>"""


def _chromium(args, cwd):
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], cwd=cwd,
                              capture_output=True, text=True, timeout=120)


def layout(page, width, height=900):
    """Layout facts of ``page`` (an HTML file) in a ``width`` px wide window."""
    page = Path(page)
    probe = page.with_name(f".probe-{page.name}")
    probe.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    try:
        proc = _chromium([f"--window-size={width},{height}", "--dump-dom", probe.as_uri()], page.parent)
    finally:
        probe.unlink()
    found = re.search(r'data-layout="([^"]*)"', proc.stdout)
    assert found, f"chromium measured nothing: {proc.stderr[-2000:]}"
    return json.loads(found.group(1).replace("&quot;", '"'))


def screenshot(page, target, width, height=2400):
    """``page`` as a PNG, ``width`` px wide (the file viewer shows it)."""
    proc = _chromium([f"--window-size={width},{height}", f"--screenshot={Path(target).resolve()}",
                      Path(page).resolve().as_uri()], Path(page).parent)
    assert Path(target).is_file(), proc.stderr[-2000:]
    return Path(target)
