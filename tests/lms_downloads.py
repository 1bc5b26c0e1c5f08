"""A Canvas and a Moodle bulk download, built as each LMS names its files (autograder/canvas.py, moodle.py), for the tests.

Korean and English names, late and resubmitted work, an anonymous entry, a text entry, a
file that follows no naming, one student who submitted nothing, and a copied pair: the
same solution under renamed variables and reordered functions (Canvas), the same code as a
notebook and as a .py file (Moodle). Everyone else submits their own work, the lesson's code or
the untouched release stub (quick to grade: it trains nothing).
"""
import ast
import csv
import io
import re
import zipfile

from kit import LESSON, ROOT, SUBMISSIONS

STYLES = SUBMISSIONS / "styles"
EXAMPLES = ROOT / "examples"
DUE = "2026-12-01T23:59:00+09:00"
CANVAS_COLUMN = "MNIST MLP (5555)"
GRADED = {"sigmoid", "softmax", "one_hot", "cross_entropy_error", "affine_layer_backward", "train_step", "np"}


def disguised(source):
    """``source`` as a student who copied it would hand it in: every other name renamed, functions reversed."""
    tree = ast.parse(source)
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    names |= {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
    for number, name in enumerate(sorted(names - GRADED)):
        source = re.sub(rf"\b{re.escape(name)}\b", f"my_{name[::-1]}{number}", source)
    tree = ast.parse(source)
    tree.body.reverse()
    return ast.unparse(tree)


CANVAS = {  # member name -> content
    "김민준_101_9001_mnist_mlp.py": LESSON.read_text(),  # the lesson's code, on time
    "doejohn_LATE_102_9002_mnist_mlp.py": (EXAMPLES / "carol.py").read_text(),  # first upload
    "doejohn_LATE_102_9010_mnist_mlp-1.py": (EXAMPLES / "alice.py").read_text(),  # the resubmission: graded
    "이서연_104_9004_mnist_mlp.py": (STYLES / "einsum.py").read_text(),
    "smithjane_105_9005_mnist_mlp.py": disguised((STYLES / "einsum.py").read_text()),  # copied from 104
    "parkjimin_106_9006_mnist_mlp.py": (ROOT / "assignments" / "mnist_mlp" / "mnist_mlp.py").read_text(),  # the stub
    "LATE_anon_Xy7Qz_9020_mnist_mlp.py": (EXAMPLES / "carol.py").read_text(),  # anonymous, late by Canvas
    "choiyuna_107_text.html": "<p>I could not upload my file</p>",
    "notes_from_ta.txt": "grade these by Friday",
}
CANVAS_ROSTER = [  # id, name, sis_id, login, email, section, submitted_at
    ("101", "김민준", "S101", "mjkim", "mjkim@example.edu", "01", "2026-12-01T20:00:00+09:00"),
    ("102", "Doe, John", "S102", "jdoe", "jdoe@example.edu", "01", "2026-12-03T01:30:00+09:00"),  # 2 days late
    ("104", "이서연", "S104", "sylee", "sylee@example.edu", "02", "2026-12-01T10:00:00+09:00"),
    ("105", "Smith, Jane", "S105", "jsmith", "jsmith@example.edu", "02", "2026-12-01T23:59:30+09:00"),
    ("106", "Park, Jimin", "S106", "jpark", "jpark@example.edu", "02", "2026-12-02T00:10:00+09:00"),  # in the grace
    ("107", "Choi, Yuna", "S107", "ychoi", "ychoi@example.edu", "01", ""),
    ("108", "정하늘", "S108", "hjeong", "hjeong@example.edu", "01", ""),  # submitted nothing
]
MOODLE = {
    "박서연_2001_assignsubmission_file_/mnist_mlp.py": LESSON.read_text(),  # folder form, late
    "Jane Doe_2002_assignsubmission_file_mnist_mlp.ipynb": (STYLES / "textbook_cells.ipynb").read_text(),  # flat
    "Participant_2003_assignsubmission_file_/mnist_mlp.py": (STYLES / "textbook_keepdims.py").read_text(),  # blind
    "John Smith_2004_assignsubmission_file_/mnist_mlp.py": (EXAMPLES / "carol.py").read_text(),
    "John Smith_2004_assignsubmission_onlinetext_/onlinetext.html": "<p>see my file</p>",
}
MOODLE_ROSTER = [  # Identifier, Full name, Email address, Last modified (submission)
    ("Participant 2001", "박서연", "sypark@example.edu", "Wednesday, 2 December 2026, 2:59 AM"),  # 3 h late
    ("Participant 2002", "Jane Doe", "jane@example.edu", "Tuesday, 1 December 2026, 9:00 PM"),
    ("Participant 2003", "Participant 2003", "", "Tuesday, 1 December 2026, 11:00 PM"),
    ("Participant 2004", "John Smith", "john@example.edu", "Monday, 30 November 2026, 8:15 AM"),
    ("Participant 2005", "최지우", "jwchoi@example.edu", "-"),  # submitted nothing
]


def canvas_download(folder):
    """canvas.zip and its roster (a CSV with named columns)."""
    archive = folder / "canvas.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, text in CANVAS.items():
            zf.writestr(name, text)
    roster = folder / "canvas_roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "name", "sis_id", "login", "email", "section", "submitted_at"])
        writer.writerows(CANVAS_ROSTER)
    return archive, roster


def moodle_download(folder):
    """moodle.zip and its roster: the grading worksheet Moodle lets a teacher download."""
    archive = folder / "moodle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, text in MOODLE.items():
            zf.writestr(name, text)
    roster = folder / "moodle_worksheet.csv"
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                     "Grade can be changed", "Last modified (submission)", "Last modified (grade)",
                     "Feedback comments"])
    for ident, name, email, when in MOODLE_ROSTER:
        writer.writerow([ident, name, email, "Submitted for grading", "", "100.00", "Yes", when, "-", ""])
    roster.write_text("\ufeff" + buf.getvalue(), encoding="utf-8")  # Moodle writes a BOM
    return archive, roster
