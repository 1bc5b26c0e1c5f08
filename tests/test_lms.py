"""The LMS side without grading: download names, rosters, the late policy, import files read by
each LMS's rules, amended feedback, copied code and the Hangul font of the figures."""
import copy
import json
import shutil
import warnings
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rich.console import Console

from autograder import amend, assignment, exports, grading, late, lms, report, roster, similarity
from autograder.grading import Outcome
from autograder import canvas, moodle
from autograder.plugin import CheckResult
from kit import LESSON, ROOT, SUBMISSIONS, run_cli
from lms_downloads import disguised
from lms_importers import Rejected, canvas_import, moodle_import, moodle_php

KST = timezone(timedelta(hours=9))
DUE = datetime(2026, 12, 1, 23, 59, tzinfo=KST)
POLICY = late.Policy(DUE, timedelta(minutes=15), 10.0, 5)
STYLES = SUBMISSIONS / "styles"


# -- the downloads' names ----------------------------------------------------------------------
@pytest.mark.parametrize("name, user, student, late_marker, original, kind", [
    ("doejohn_48213_1730917_mnist_mlp.py", "48213", "doejohn", False, "mnist_mlp.py", "file"),
    ("doejohn_LATE_48213_1730917_mnist_mlp-1.py", "48213", "doejohn", True, "mnist_mlp-1.py", "file"),
    ("김민준_101_9001_mnist_mlp.ipynb", "101", "김민준", False, "mnist_mlp.ipynb", "file"),
    ("anon_Xy7Qz_9020_mnist_mlp.py", "anon_Xy7Qz", "", False, "mnist_mlp.py", "file"),
    ("LATE_anon_Xy7Qz_9020_mnist_mlp.py", "anon_Xy7Qz", "", True, "mnist_mlp.py", "file"),
    ("o_brienpat2_77_9_my_file_2.py", "77", "o_brienpat2", False, "my_file_2.py", "file"),
    ("doejohn_48213_555_text.html", "48213", "doejohn", False, "text.html", "file"),  # a file called text.html
    ("doejohn_48213_text.html", "48213", "doejohn", False, "", "text"),
    ("doejohn_LATE_48213_link.html", "48213", "doejohn", True, "", "link"),
])
def test_canvas_names(name, user, student, late_marker, original, kind):
    member = canvas.parse(name)
    assert (member.user, member.name, member.late, member.original, member.kind) == (
        user, student, late_marker, original, kind)
    assert member.anonymous == user.startswith("anon_")


@pytest.mark.parametrize("name", ["notes.txt", "alice.py", "doejohn_mnist_mlp.py", "doejohn_12_mnist.py"])
def test_what_canvas_never_names(name):
    assert canvas.parse(name) is None


@pytest.mark.parametrize("path, user, student, original, kind, blind", [
    ("Jane Doe_2002_assignsubmission_file_/mnist_mlp.py", "2002", "Jane Doe", "mnist_mlp.py", "file", False),
    ("Jane Doe_2002_assignsubmission_file_/src/mnist_mlp.py", "2002", "Jane Doe", "src/mnist_mlp.py", "file", False),
    ("Jane Doe_2002_assignsubmission_file_mnist_mlp.ipynb", "2002", "Jane Doe", "mnist_mlp.ipynb", "file", False),
    ("박서연_2001_assignsubmission_file_/mnist_mlp.py", "2001", "박서연", "mnist_mlp.py", "file", False),
    ("Participant_2003_assignsubmission_file_/mnist_mlp.py", "2003", "Participant", "mnist_mlp.py", "file", True),
    ("John Smith_2004_assignsubmission_onlinetext_/onlinetext.html", "2004", "John Smith", "onlinetext.html",
     "onlinetext", False),
])
def test_moodle_names(path, user, student, original, kind, blind):
    member = moodle.parse(path)
    assert (member.user, member.name, member.original, member.kind, member.anonymous) == (
        user, student, original, kind, blind)


def _folder(tmp_path, names):
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    return tmp_path


def test_the_lms_is_told_by_most_names(tmp_path):
    assert lms.detect(_folder(tmp_path / "c", ["a_1_2_x.py", "b_3_4_y.py", "notes.txt"])) == "canvas"
    assert lms.detect(_folder(tmp_path / "m", ["A B_1_assignsubmission_file_/x.py", "readme.txt"])) == "plain"
    assert lms.detect(_folder(tmp_path / "m2", ["A B_1_assignsubmission_file_/x.py"])) == "moodle"
    assert lms.detect(_folder(tmp_path / "p", ["alice.py", "bob_1_2_x.py", "carol"])) == "plain"


def test_several_files_of_one_student_are_one_submission_the_latest_version_graded(tmp_path):
    download = lms.Download("canvas")
    folder = tmp_path / "dl"
    folder.mkdir()
    for name, text in [("doejohn_LATE_102_9002_mnist_mlp.py", "old = 1\n"),
                       ("doejohn_LATE_102_9010_mnist_mlp-1.py", "new = 2\n"),
                       ("doejohn_LATE_102_9011_utils.py", "helper = 3\n"),
                       ("smithjane_105_9005_mnist_mlp-2.py", "only = 4\n")]:
        (folder / name).write_text(text)
    lms.read(folder, "canvas", download)
    assert list(download.students) == ["102", "105"] and not download.strays
    john, jane = download.students["102"], download.students["105"]
    assert john.identity.late_marker and not jane.identity.late_marker
    lms.stage(john, tmp_path / "102")
    lms.stage(jane, tmp_path / "105")
    assert (tmp_path / "102" / "mnist_mlp.py").read_text() == "new = 2\n"
    assert (tmp_path / "102" / "utils.py").is_file() and (tmp_path / "105" / "mnist_mlp.py").read_text() == "only = 4\n"
    assert john.notes == [(lms.stage.__globals__["N_"](
        "Graded the latest version of {base}: {name} (earlier versions ignored: {earlier})"),
        {"base": "mnist_mlp.py", "name": "mnist_mlp-1.py", "earlier": "mnist_mlp.py"})]
    assert jane.notes[0][1] == {"name": "mnist_mlp-2.py", "base": "mnist_mlp.py"}


def test_a_malformed_name_in_a_download_is_a_row_that_says_why(tmp_path):
    download = lms.Download("moodle")
    folder = _folder(tmp_path, ["A B_1_assignsubmission_file_/mnist_mlp.py", "stray.py"])
    lms.read(folder, "moodle", download)
    (path, why), = download.strays
    assert path.name == "stray.py" and "not named as Moodle names" in why and "assignsubmission_file_" in why


# -- rosters ------------------------------------------------------------------------------------
def test_canvas_gradebook_export_as_roster(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text('Student,ID,SIS User ID,SIS Login ID,Section,MNIST MLP (5555),Current Score,Final Score\n'
                    '    Points Possible,,,,,50,(read only),(read only)\n'
                    '"Doe, John",102,S102,jdoe,01,,,\n'
                    '김민준,101,S101,mjkim,02,,,\n'
                    '"Student, Test",999,,,01,,,\n', encoding="utf-8")
    found = roster.read(path)
    assert found.kind == "Canvas gradebook export" and found.assignment_column == "MNIST MLP (5555)"
    assert found.points == 50 and list(found.people) == ["102", "101"]
    assert found.people["101"].name == "김민준" and found.people["102"].section == "01"


def test_moodle_worksheet_as_roster(tmp_path):
    path = tmp_path / "worksheet.csv"
    path.write_text('\ufeffIdentifier,Full name,Email address,Status,Grade,Maximum Grade,Last modified (submission)\n'
                    'Participant 2001,박서연,sy@example.edu,Submitted,,10.00,"Wednesday, 2 December 2026, 2:59 AM"\n'
                    'Participant 2005,최지우,jw@example.edu,No submission,,10.00,-\n', encoding="utf-8")
    found = roster.read(path)
    assert found.kind == "Moodle grading worksheet" and found.points == 10 and list(found.people) == ["2001", "2005"]
    assert found.people["2005"].submitted_at == ""
    assert late.parse_time(found.people["2001"].submitted_at, KST) == datetime(2026, 12, 2, 2, 59, tzinfo=KST)


@pytest.mark.parametrize("text, words", [
    ("name,email\nAnn,a@x\n", ["no id column", "name, email", "id, lms_id, user_id"]),
    ("", ["is empty"]),
    ("id,name\n,Ann\n", ["line 2", "no id"]),
])
def test_a_roster_that_cannot_be_used_says_why(tmp_path, text, words):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(roster.RosterError) as err:
        roster.read(path)
    assert all(w in str(err.value) for w in words)


# -- the late policy ----------------------------------------------------------------------------
@pytest.mark.parametrize("when, days, percent", [
    (DUE - timedelta(hours=1), 0, 0), (DUE + timedelta(minutes=15), 0, 0),  # the grace period
    (DUE + timedelta(minutes=16), 1, 10), (DUE + timedelta(days=1), 1, 10), (DUE + timedelta(days=1, seconds=1), 2, 20),
    (DUE + timedelta(days=5), 5, 50), (DUE + timedelta(days=5, hours=1), 6, 100)])  # past max_days: nothing
def test_days_late_count_any_part_of_a_day(when, days, percent):
    found = late.assess(POLICY, late.Submitted(when, "roster"))
    assert (found["days"], found["percent"], found["flag"]) == (days, percent, None)
    assert late.penalty(found, 90, 100) == min(90, percent)


@pytest.mark.parametrize("submitted, words", [
    (late.Submitted(), "submission time is unknown"),
    (late.Submitted(marker=True), "the LMS marked it late, but its submission time is unknown"),
    (late.Submitted(DUE.replace(tzinfo=None), "zip", exact=False), "has no time zone"),
    (late.Submitted(DUE - timedelta(hours=1), "roster", marker=True), "before the due date here"),
    (late.Submitted(unreadable="next Tuesday"), "could not be read"),
])
def test_unknown_lateness_is_flagged_never_penalised(submitted, words):
    found = late.assess(POLICY, submitted)
    assert words in found["flag"][0].format(**found["flag"][1]) and found["percent"] == 0


@pytest.mark.parametrize("option, value, words", [
    ("--roster", "name,email\nAnn,a@x\n", "has no id column"),
    ("--due", "next friday", "is not an ISO 8601 date"),
])
def test_bad_roster_or_due_date_stop_before_grading_with_a_message(tmp_path, option, value, words):
    (tmp_path / "roster.csv").write_text(value)
    proc = run_cli("grade", ROOT / "examples" / "carol.py", "--out", tmp_path / "out", option,
                   tmp_path / "roster.csv" if option == "--roster" else value)
    said = " ".join(proc.stderr.split())  # the console wraps long lines
    assert proc.returncode == 2 and words in said and "nothing was graded" in said
    assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()


def test_canvas_own_verdict_on_time_needs_no_flag():
    assert late.assess(POLICY, late.Submitted(marker=False))["flag"] is None


@pytest.mark.parametrize("table, due, words", [
    ({}, "tomorrow", "not an ISO 8601"), ({}, "2026-12-01T23:59", "names no time zone"),
    ({"penalty_percent_per_day": "ten"}, None, "[late]"), ({"max_days": -1}, None, "cannot be negative")])
def test_a_bad_policy_says_what_is_wrong(table, due, words):
    with pytest.raises(late.PolicyError) as err:
        late.Policy.from_config(table, due)
    assert words in str(err.value)


def test_zip_times_are_exact_only_with_the_extended_timestamp(tmp_path):
    archive = tmp_path / "class.zip"
    stamp = int(datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc).timestamp())
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("a.py", (2026, 12, 2, 10, 0, 0))
        info.extra = b"UT\x05\x00\x01" + stamp.to_bytes(4, "little")  # Info-ZIP's 0x5455 field
        zf.writestr(info, "x = 1")
        zf.writestr(zipfile.ZipInfo("b.py", (2026, 12, 2, 10, 0, 0)), "y = 2")
    times = late.zip_times(archive)
    assert times["a.py"] == (datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc), True)
    assert times["b.py"] == (datetime(2026, 12, 2, 10, 0), False)


def test_gradescope_metadata_decides_lateness(tmp_path):
    meta = tmp_path / "submission_metadata.json"
    meta.write_text(json.dumps({"created_at": "2026-12-02T10:00:00.123456+09:00",
                                "assignment": {"due_date": "2026-12-01T23:59:00.000000+09:00"},
                                "users": [{"email": "a@x", "id": 1, "name": "A"}]}))
    assert late.from_gradescope({"penalty_percent_per_day": 10}, meta)["days"] == 1
    extended = json.loads(meta.read_text())
    extended["users"][0]["assignment"] = {"due_date": "2026-12-03T23:59:00+09:00"}
    meta.write_text(json.dumps(extended))
    assert late.from_gradescope({"penalty_percent_per_day": 10}, meta)["days"] == 0
    assert late.from_gradescope({}, tmp_path / "missing.json") is None


# -- amended grades -----------------------------------------------------------------------------
def _graded_folder(folder):
    """A results folder as the grader writes it: 15 of 20 points, and something the student printed."""
    checks = [CheckResult("sigmoid", title, most, False, passed)
              for title, most, passed in [("known values", 10.0, True), ("2-D", 5.0, True), ("nan", 5.0, False)]]
    grading.write_submission(Outcome("102", checks, output="hello from the student\n"), folder)
    return folder


def test_amending_explains_the_penalty_everywhere_and_is_idempotent(tmp_path):
    folder = _graded_folder(tmp_path / "102")
    lateness = late.assess(POLICY, late.Submitted(DUE + timedelta(hours=30), "roster"))
    versions = [("Graded {name}, your latest upload of {base}", {"name": "mnist_mlp-1.py", "base": "mnist_mlp.py"})]
    results = amend.amend(folder, {"lms": "canvas", "id": "102", "name": "Doe, John"}, versions, lateness)
    assert results["score"] == 11 and results["extra_data"]["raw_score"] == 15  # 2 days: 20% of 20 points
    assert results["extra_data"]["late"]["penalty"] == 4
    files = {name: (folder / name).read_text() for name in ("results.json", "feedback.md", "feedback.html")}
    for text in files.values():
        assert "Late by 2 day(s)" in text and "mnist_mlp-1.py" in text and "Score: 11 / 20" in text
    assert "Score: 15 / 20" not in files["feedback.md"] and "hello from the student" in files["feedback.html"]
    amend.amend(folder, {"lms": "canvas", "id": "102", "name": "Doe, John"}, versions, lateness)  # --resume
    assert {name: (folder / name).read_text() for name in files} == files
    amend.amend(folder, None, [], None)  # the facts gone: the grader's score again
    assert report.read_results(folder)["score"] == 15 and "Late" not in (folder / "feedback.md").read_text()


# -- the import files, read by each LMS's rules ---------------------------------------------------
def _rows(source):
    rows = []
    for sid, name, score, anonymous in [("102", "Doe, John", 80, False), ("101", "김민준", 100, False),
                                        ("anon_Xy7Qz", "", 47, True)]:
        rows.append({"score": score, "tests": [{"max_score": 100}], "extra_data": {
            "student": sid, "raw_score": score, "lms_lines": ["Late by 1 day(s): \"10\" off \\ quoted"],
            "lms": {"lms": source, "id": sid, "name": name, "anonymous": anonymous, "sis_id": f"S{sid}",
                    "login": f"u{sid}", "section": "01"}}})
    rows.append({"score": 0, "tests": [], "extra_data": {"student": "107", "lms": {"lms": source, "id": "107"}}})
    return rows


def test_canvas_imports_the_gradebook_file(tmp_path):
    kit = assignment.resolve("mnist_mlp")
    messages = exports.write(tmp_path, "canvas", _rows("canvas"), kit, column="MNIST MLP (5555)")
    text = (tmp_path / "canvas_gradebook.csv").read_text()
    students = {"102": ("John Doe", "Doe, John", "S102", "u102"), "101": ("김민준", "김민준", "S101", "u101")}
    found = canvas_import(text, students)["MNIST MLP"]
    assert found["id"] == "5555" and found["points"] == "100" and found["grades"] == {"102": 80, "101": 100}
    assert any("anon_Xy7Qz" in m for m in messages)  # anonymous: listed, not imported


def test_canvas_import_without_an_assignment_id_warns(tmp_path):
    messages = exports.write(tmp_path, "canvas", _rows("canvas"), assignment.resolve("mnist_mlp"))
    assert any("names no assignment id" in m for m in messages)
    found = canvas_import((tmp_path / "canvas_gradebook.csv").read_text(), {
        "102": ("", "", "S102", ""), "101": ("", "", "S101", "")})
    assert found["A two-layer perceptron on MNIST, from scratch in NumPy"]["id"] is None  # matched by title


def test_canvas_importer_rejects_what_canvas_rejects():
    with pytest.raises(Rejected):
        canvas_import("Name,ID,Section,A (1)\nx,1,01,5\n", {"1": ("x", "x", "", "")})


def test_moodle_imports_the_worksheet(tmp_path):
    exports.write(tmp_path, "moodle", _rows("moodle"), assignment.resolve("mnist_mlp"))
    text = (tmp_path / "moodle_grading_worksheet.csv").read_text()
    found = moodle_import(text, {"102", "101", "anon_Xy7Qz", "107"}, maximum=100)
    assert {k: v[0] for k, v in found.items()} == {"102": 80, "101": 100, "anon_Xy7Qz": 47}
    assert "Late by 1 day(s)" in found["102"][1] and "\\" not in found["102"][1]  # PHP's fgetcsv escape
    earlier = {"102": datetime.now(timezone.utc) + timedelta(hours=1)}  # changed in Moodle since: kept
    assert "102" not in moodle_import(text, {"102"}, maximum=100, graded_at=earlier)
    assert moodle_import(text, {"102"}, maximum=50) == {}  # above the assignment's maximum: skipped


@pytest.mark.skipif(shutil.which("php") is None, reason="needs php-cli (.ci/run installs it)")
def test_php_reads_the_worksheet_as_moodle_does(tmp_path):
    """PHP's own fgetcsv and strtotime, as Moodle's csv_import_reader and importer call them."""
    exports.write(tmp_path, "moodle", _rows("moodle"), assignment.resolve("mnist_mlp"))
    path = tmp_path / "moodle_grading_worksheet.csv"
    found = moodle_php(path)
    assert found.keys() == {"102", "101", "anon_Xy7Qz"}
    python = moodle_import(path.read_text(), set(found), maximum=100)
    for pid, row in found.items():
        assert (float(row["grade"]), row["comment"]) == python[pid]
        assert abs(row["modified"] - datetime.now(timezone.utc).timestamp()) < 600  # strtotime read the time


def test_scores_are_scaled_to_the_lms_points(tmp_path):
    people = roster.Roster("CSV", {"102": roster.Person("102")}, points=10.0)
    exports.write(tmp_path, "moodle", _rows("moodle"), assignment.resolve("mnist_mlp"), people)
    found = moodle_import((tmp_path / "moodle_grading_worksheet.csv").read_text(), {"102"}, maximum=10)
    assert found["102"][0] == 8


# -- copied code --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """A class of the corpus's independent styles, the lesson's code twice, a disguised copy, a notebook pair."""
    folder = tmp_path_factory.mktemp("similar")
    entries = [(p.stem, p) for p in sorted(STYLES.iterdir())
               if p.suffix in (".py", ".ipynb") and p.stem not in ("textbook_cells",)]
    (folder / "lesson_again.py").write_text(LESSON.read_text())
    (folder / "alice.py").write_text((ROOT / "examples" / "alice.py").read_text())
    (folder / "einsum_copy.py").write_text(disguised((STYLES / "einsum.py").read_text()))
    (folder / "notebook.ipynb").write_text((STYLES / "textbook_cells.ipynb").read_text())
    blob = "W = " + repr([round(0.001 * i, 3) for i in range(300)]) + "\nKEY = '" + "QUJD" * 400 + "'\n"
    (folder / "blob.py").write_text((ROOT / "examples" / "carol.py").read_text() + "\n" + blob)
    entries += [(p.stem, p) for p in sorted(folder.iterdir())]
    return similarity.check(assignment.resolve("mnist_mlp"), entries, folder / "out", Console(quiet=True))


def test_a_disguised_copy_and_a_notebook_copy_are_found(copies):
    pairs = {(p.a, p.b) for p in copies.pairs}
    assert pairs == {("einsum", "einsum_copy"), ("notebook", "textbook_keepdims")}
    for p in copies.pairs:
        assert min(p.shared_a, p.shared_b) > 0.5 and p.page == f"similarity.html#{p.a}--{p.b}"


def test_the_lesson_code_alone_flags_no_one(copies):
    assert not any({"lesson", "lesson_again", "alice"} & {p.a, p.b} for p in copies.pairs)


def test_embedded_data_is_flagged(copies):
    assert set(copies.literals) == {"blob"}
    (numbers, string), = [copies.literals["blob"]]
    assert numbers.startswith("a literal of 300 numbers") and string.startswith("a 1,600-character string literal")


# -- Hangul in the figures ------------------------------------------------------------------------
def _missing_glyphs(title):
    from autograder.pages import plots
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plots.histogram([1, 2], title, "점수")
        fig.savefig(Path("/dev/null"), format="png")
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_hangul_renders_even_when_the_font_came_after_the_cache(monkeypatch):
    from matplotlib import font_manager
    from autograder.pages import plots
    if not list(Path("/usr/share/fonts").rglob("NanumGothic*.ttf")):
        pytest.skip("fonts-nanum is not installed (.ci/run installs it)")
    stale = copy.copy(font_manager.fontManager)  # a cache built before fonts-nanum was installed
    stale.ttflist = [f for f in font_manager.fontManager.ttflist if "Nanum" not in f.name]
    monkeypatch.setattr(font_manager, "fontManager", stale)
    monkeypatch.setitem(plots.matplotlib.rcParams, "font.family", ["DejaVu Sans"])
    font_manager._get_font.cache_clear()
    assert _missing_glyphs("한국어 과정의 점수")  # the symptom: boxes for every Hangul glyph
    assert "NanumGothic" in plots.use_cjk_fonts(stale)
    assert not _missing_glyphs("한국어 과정의 점수")


def test_the_fast_comparison_is_copydetects():
    """similarity._shared gives compare_files' own similarities, pair by pair."""
    from copydetect import compare_files
    kit = assignment.resolve("mnist_mlp")
    boilerplate = similarity._boilerplate(kit, ["mnist_mlp.py", "lesson.py"], Console(quiet=True))
    codes = {"einsum": (STYLES / "einsum.py").read_text(), "copy": disguised((STYLES / "einsum.py").read_text()),
             "alice": (ROOT / "examples" / "alice.py").read_text(), "lesson": LESSON.read_text(),
             "float32": (STYLES / "float32.py").read_text(), "carol": (ROOT / "examples" / "carol.py").read_text()}
    prints = {s: similarity.fingerprint(s, code, boilerplate) for s, code in codes.items()}
    for a, b in [("einsum", "copy"), ("alice", "lesson"), ("float32", "carol"), ("einsum", "float32")]:
        _, expected, _ = compare_files(prints[a], prints[b])
        arrays = [similarity._arrays(prints[s]) for s in (a, b)]
        found = (similarity._shared(prints[a], arrays[0], arrays[1]), similarity._shared(prints[b], arrays[1], arrays[0]))
        assert found == pytest.approx(expected, abs=1e-12), (a, b)
    arrays = {s: similarity._arrays(fp) for s, fp in prints.items()}
    candidates = set(similarity._candidates(sorted(prints), arrays, similarity.THRESHOLD))
    above = {(a, b) for a in sorted(prints) for b in sorted(prints) if a < b
             and max(compare_files(prints[a], prints[b])[1]) >= similarity.THRESHOLD}
    assert above == {("copy", "einsum")} and above <= candidates  # the screen drops no pair worth showing
