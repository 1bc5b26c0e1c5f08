"""From the LMS download to the LMS gradebook: a Canvas and a Moodle bulk download, graded as they are.

Both built by tests/lms_downloads.py (Korean and English names, late and resubmitted work, an
anonymous entry, a copied pair); each graded once, by the real command, for every test here.
The Moodle class is a Korean course (--lang ko): its figures must show Hangul.
"""
import csv
import json
import re
import shutil

import pytest

from browser import CHROMIUM, layout, screenshot
from kit import run_cli
from lms_downloads import CANVAS_COLUMN, DUE, canvas_download, moodle_download
from lms_importers import canvas_import, moodle_import

pytestmark = pytest.mark.slow


def _grade(archive, out, *args):
    proc = run_cli("grade", archive, "--out", out, "--jobs", 2, "--due", DUE, "--assignment", "mnist_mlp", *args)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def canvas(tmp_path_factory):
    folder = tmp_path_factory.mktemp("canvas")
    archive, roster = canvas_download(folder)
    proc = _grade(archive, folder / "out", "--roster", roster, "--lms-assignment", CANVAS_COLUMN)
    return archive, roster, folder / "out", proc.stderr


@pytest.fixture(scope="module")
def moodle(tmp_path_factory):
    folder = tmp_path_factory.mktemp("moodle")
    archive, roster = moodle_download(folder)
    proc = _grade(archive, folder / "out", "--roster", roster, "--lang", "ko")
    return archive, roster, folder / "out", proc.stderr


def _rows(out):
    return {r["student"]: r for r in csv.DictReader((out / "grades.csv").open(encoding="utf-8"))}


def _results(out, student):
    return json.loads((out / student / "results.json").read_text())


def test_canvas_ids_and_names_come_from_the_lms(canvas):
    _, _, out, stderr = canvas
    rows = _rows(out)
    assert "read as a Canvas download" in stderr
    assert set(rows) == {"101", "102", "104", "105", "106", "107", "108", "anon_Xy7Qz", "notes_from_ta.txt"}
    assert (rows["101"]["name"], rows["102"]["name"], rows["102"]["sis_id"], rows["102"]["section"]) == (
        "김민준", "Doe, John", "S102", "01")
    assert _results(out, "101")["extra_data"]["lms"]["name"] == "김민준"
    assert _results(out, "anon_Xy7Qz")["extra_data"]["lms"]["anonymous"] is True
    assert rows["107"]["status"].startswith("not a submission: 107 submitted no file (a text entry)")
    assert "is not named as Canvas names" in rows["notes_from_ta.txt"]["status"]
    assert rows["108"]["status"] == "no submission" and rows["108"]["name"] == "정하늘"


def test_the_latest_version_is_graded_and_the_feedback_says_so(canvas):
    out = canvas[2]
    results = _results(out, "102")
    assert results["extra_data"]["raw_score"] == 100  # alice.py, the resubmission; carol.py scores 47
    for name in ("feedback.md", "feedback.html", "results.json"):
        assert "Graded the latest version of mnist_mlp.py: mnist_mlp-1.py" in (out / "102" / name).read_text()


def test_canvas_late_penalties(canvas):
    out = canvas[2]
    rows = _rows(out)
    assert [rows["102"][k] for k in ("raw_score", "late_penalty", "score", "days_late")] == ["100", "20", "80", "2"]
    assert [rows["106"][k] for k in ("late_penalty", "flags")] == ["0", ""]  # within the grace period
    assert rows["106"]["score"] == rows["106"]["raw_score"]
    anon = rows["anon_Xy7Qz"]  # Canvas said LATE, but nothing says when: flagged, not penalised
    assert anon["late_penalty"] == "0" and "submission time is unknown" in anon["flags"]
    assert "Late by 2 day(s)" in (out / "102" / "feedback.html").read_text()
    assert _results(out, "102")["score"] == 80


def test_moodle_ids_names_and_late_penalty(moodle):
    _, _, out, stderr = moodle
    rows = _rows(out)
    assert "read as a Moodle download" in stderr
    assert set(rows) == {"2001", "2002", "2003", "2004", "2005"}
    assert rows["2001"]["name"] == "박서연" and rows["2002"]["email"] == "jane@example.edu"
    assert _results(out, "2003")["extra_data"]["lms"]["anonymous"] is True
    assert [rows["2001"][k] for k in ("raw_score", "late_penalty", "score", "days_late")] == ["100", "10", "90", "1"]
    assert rows["2005"]["status"] == "no submission"
    assert "늦게" in (out / "2001" / "feedback.md").read_text()  # explained in the course's language


def test_canvas_imports_its_gradebook_file(canvas):
    _, roster, out, _ = canvas
    people = {r["id"]: (r["name"], r["name"], r["sis_id"], r["login"]) for r in csv.DictReader(roster.open())}
    found = canvas_import((out / "canvas_gradebook.csv").read_text(encoding="utf-8"), people)["MNIST MLP"]
    assert found["id"] == "5555" and found["points"] == "100"
    rows = _rows(out)
    assert found["grades"] == {"101": 100, "102": 80, "104": 100, "105": float(rows["105"]["score"]),
                               "106": float(rows["106"]["score"])}


def test_moodle_imports_its_worksheet(moodle):
    out = moodle[2]
    found = moodle_import((out / "moodle_grading_worksheet.csv").read_text(encoding="utf-8"),
                          {"2001", "2002", "2003", "2004", "2005"}, maximum=100)
    assert {k: v[0] for k, v in found.items()} == {"2001": 90, "2002": 100, "2003": 100, "2004": 47}
    assert "2026-12-02T02:59:00+09:00" in found["2001"][1]  # the penalty, explained in the comment


@pytest.mark.parametrize("which, pair, lesson", [("canvas", ("104", "105"), "101"), ("moodle", ("2002", "2003"), "2001")])
def test_the_copied_pair_is_found_and_the_lesson_flags_no_one(canvas, moodle, which, pair, lesson):
    out = {"canvas": canvas, "moodle": moodle}[which][2]
    page = (out / "summary.html").read_text()
    section = page.split("<h2>Similar submissions</h2>")[1].split("<h2>")[0]
    links = re.findall(r'href="(similarity.html#[^"]+)"', section)
    assert links == [f"similarity.html#{pair[0]}--{pair[1]}"]
    shown = (out / "similarity.html").read_text().split(f'<section id="{pair[0]}--{pair[1]}">')[1]
    assert "<mark>" in shown.split("</section>")[0]
    rows = _rows(out)
    assert f"with {pair[1]}" in rows[pair[0]]["flags"] and f"with {pair[0]}" in rows[pair[1]]["flags"]
    assert rows[lesson]["flags"] == "" and rows[lesson]["score"] in ("100", "90")  # nothing penalised


def test_resume_keeps_every_grade_and_rebuilds_the_same_files(canvas, tmp_path):
    archive, roster, first, _ = canvas
    out = tmp_path / "out"
    shutil.copytree(first, out)
    proc = _grade(archive, out, "--roster", roster, "--lms-assignment", CANVAS_COLUMN, "--resume")
    assert "8 submission(s) already graded, 0 to go" in proc.stderr
    for name in ("grades.csv", "canvas_gradebook.csv", "102/results.json", "102/feedback.html"):
        assert (out / name).read_bytes() == (first / name).read_bytes(), name


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
@pytest.mark.parametrize("which", ["canvas", "moodle"])
def test_the_dashboard_in_a_browser(canvas, moodle, which, tmp_path):
    """At 1280 px and on a phone: nothing scrolls sideways; the screenshots are kept in tmp_path to look at."""
    out = {"canvas": canvas, "moodle": moodle}[which][2]
    for page, width in [(out / "summary.html", 1280), (out / "summary.html", 500), (out / "similarity.html", 500)]:
        facts = layout(page, width)
        assert facts["scrollWidth"] <= width and facts["overflowing"] == [], (page.name, facts)
        shot = screenshot(page, tmp_path / f"{which}-{page.stem}-{width}.png", width, 4000)
        assert shot.stat().st_size > 20_000
