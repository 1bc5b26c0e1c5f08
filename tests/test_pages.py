"""What an instructor and a student read: statuses, the training outcome, and the pages in a real browser.

Results documents are built here (report.results_json of an Outcome), with the training
artifact the hidden `trained` fixture records (CONTRACT: artifacts["training"]), so these
tests need no grading run.
"""
import csv
import io
import re

import pytest

from autograder import grading, report
from autograder.pages import feedback, plots, summary
from autograder.grading import Outcome
from autograder.plugin import CheckResult
from browser import CHROMIUM, layout, screenshot

STOPPED = {"steps": 6000, "steps_done": 0, "completed": False, "test_accuracy": None,
           "stopped": "ValueError in update_params at step 0: operands could not be broadcast together "
                      "with shapes (784,50) (10,50)"}
COMPLETED = {"steps": 6000, "steps_done": 6000, "completed": True, "stopped": "", "test_accuracy": 0.9712}
LONG_HINT = ("sigmoid is not implemented yet (it raises NotImplementedError: use np.exp; the result has the "
             "same shape as x, and it must not overflow at inputs of -1000, so think about the sign of x) " * 2)
CURVE = {"x": list(range(0, 4000, 100)), "y": [2.3 / (1 + i) for i in range(40)]}
PLOTS = [{"title": "Training loss", "xlabel": "training step", "ylabel": "cross-entropy",
          "series": {"yours": CURVE, "reference": CURVE}}]


def _checks(passing):
    """Two functions, each with a public and a hidden check; ``passing``: names of the passing checks."""
    found = []
    for function, title, hidden in [("sigmoid", "known values", False), ("train_step", "shapes", False),
                                    ("sigmoid", "matches the reference", True),
                                    ("train_step", "matches the reference step", True)]:
        check = CheckResult(function, title, 5.0, hidden)
        check.passed = f"{function}: {title}" in passing
        check.message = "" if check.passed else LONG_HINT
        found.append(check)
    return found


def _outcome(student, training=None, passing=(), **kw):
    artifacts = {"plots": PLOTS} if training else {}
    if training:
        artifacts["training"] = training
        if training["test_accuracy"] is not None:
            artifacts["test_accuracy"] = training["test_accuracy"]
    return Outcome(student, _checks(passing), artifacts=artifacts, **kw)


ALL = ["sigmoid: known values", "train_step: shapes", "sigmoid: matches the reference",
       "train_step: matches the reference step"]


@pytest.fixture(scope="module")
def rows():
    return [report.results_json(_outcome("ann", COMPLETED, ALL)),
            report.results_json(_outcome("ben", STOPPED, ALL[:2])),
            report.results_json(_outcome("cat", None, ["sigmoid: known values"])),
            report.results_json(_outcome("dan", notes=[f"{report.UNREADABLE} dan.ipynb is not a readable "
                                                       "Jupyter notebook"],
                                         unreadable="dan.ipynb is not a readable Jupyter notebook")),
            report.results_json(Outcome("notes.txt", error="notes.txt is not a .py or .ipynb file"),
                                kind=report.NOT_A_SUBMISSION),
            {"score": 0, "tests": [], "extra_data": {"student": "class.zip:link.py",
                                                     "status": "rejected from class.zip: a symbolic link"}}]


# -- the training outcome, rendered ----------------------------------------------------------
def test_training_lines_say_where_training_stopped_and_what_it_reached():
    assert report.training_lines({"training": STOPPED}) == [
        "Training stopped after 0 of 6,000 steps: " + STOPPED["stopped"]]
    assert report.training_lines({"training": {**STOPPED, "steps_done": 1200, "test_accuracy": 0.4}}) == [
        "Training stopped after 1,200 of 6,000 steps: " + STOPPED["stopped"],
        "Test accuracy of the weights it reached: 40.0%"]
    assert report.training_lines({"training": COMPLETED, "test_accuracy": 0.9712}) == [
        "Training completed (6,000 of 6,000 steps); test accuracy of your network: 97.1%"]
    assert report.training_lines({"test_accuracy": 0.9}) == ["Test accuracy of your trained network: 90.0%"]
    assert report.training_lines({}) == []  # never reached training, or results older than the artifact


def test_feedback_markdown_states_accuracy_and_why_training_stopped():
    stopped = feedback.markdown(_outcome("ben", STOPPED, ALL[:2]))
    assert "## Training your network\n\n- Training stopped after 0 of 6,000 steps: ValueError in " \
           "update_params at step 0" in stopped
    assert "- Training completed (6,000 of 6,000 steps); test accuracy of your network: 97.1%" in \
        feedback.markdown(_outcome("ann", COMPLETED, ALL))
    assert "Training" not in feedback.markdown(_outcome("cat"))


def test_feedback_html_shows_the_training_outcome_once(rows):
    page = feedback.render(rows[1])
    assert page.count("Training stopped after 0 of 6,000 steps: ValueError in update_params at step 0") == 1
    assert 'class="training stopped"' in page
    assert "97.1%" in feedback.render(rows[0]) and "Training your network" not in feedback.render(rows[2])


def test_results_json_carries_the_training_outcome_and_status(rows):
    ann, ben = rows[0], rows[1]
    assert ben["extra_data"]["artifacts"]["training"] == STOPPED
    assert "Training stopped after 0 of 6,000 steps: ValueError" in ben["output"]
    assert "test accuracy of your network: 97.1%" in ann["output"]
    for doc in rows[:5]:
        report.validate(doc)


# -- one vocabulary of statuses --------------------------------------------------------------
def test_one_status_vocabulary(rows):
    assert [report.status(r) for r in rows] == [
        "graded", "graded", "graded", "unreadable: dan.ipynb is not a readable Jupyter notebook",
        "not a submission: notes.txt is not a .py or .ipynb file", "rejected from class.zip: a symbolic link"]
    assert [report.status_kind(report.status(r)) for r in rows] == [
        "graded", "graded", "graded", "unreadable", "not a submission", "rejected"]
    old = {"output": f"Score: 0 / 20\n{report.UNREADABLE} x.py is a binary file", "tests": [], "extra_data": {}}
    assert report.status(old) == "unreadable: x.py is a binary file"  # results.json from before the field


def test_grades_csv_status_and_accuracy(rows):
    table = list(csv.DictReader(io.StringIO(report.grades_csv(rows, report.function_columns(rows)))))
    assert [r["status"] for r in table] == [report.status(r) for r in rows]
    assert [r["test_accuracy"] for r in table] == ["0.9712", "", "", "", "", ""]


def test_duplicate_name_note_reaches_results_json(tmp_path):
    grading.write_submission(_outcome("alice.py"), tmp_path)
    note = "duplicate name: graded as alice.py, also submitted as alice.ipynb"
    report.add_status_note(tmp_path, note)
    report.add_status_note(tmp_path, note)  # --resume: added once
    assert report.status(report.read_results(tmp_path)) == f"graded; {note}"


# -- summary.html ------------------------------------------------------------------------------
def test_summary_shows_statuses_training_and_accuracy_in_percent(rows):
    page = summary.render(rows)
    assert "6 input(s): 3 graded, 1 unreadable, 1 not a submission, 1 rejected." in page
    assert "Training stopped after 0 of 6,000 steps: ValueError in update_params at step 0" in page
    assert '<td class=n data-label="test accuracy">97.1%</td>' in page
    assert "median 97.1%" in page and 'alt="distribution of test_accuracy"' in page
    assert '<td class=id data-label="student">class.zip:link.py</td>' in page  # a rejected input has no
    assert 'href="notes.txt/feedback.html"' in page  # folder to link to; a file that is not code has one
    assert "<h2>Test accuracy</h2>" in page


def test_results_and_summary_say_how_student_code_was_confined():
    full, landlock, basic = (report.results_json(_outcome(name, confinement=name)) for name in ("full", "landlock", "basic"))
    assert [r["extra_data"]["confinement"] for r in (full, landlock, basic)] == ["full", "landlock", "basic"]
    page = summary.render([full, landlock, landlock, basic])
    assert ("Student code ran confined at the <span>full</span> level (1 submission(s)), <span>landlock</span> "
            "level (2 submission(s)), <span class=bad>basic</span> level (1 submission(s))") in page


def test_summary_puts_hidden_checks_beside_their_function_and_ignores_unreadable_input(rows, monkeypatch):
    drawn = []
    monkeypatch.setattr(plots, "pass_rates", lambda *args: drawn.append(args) or plots.figure())
    summary.render(rows)
    (names, rates, hidden), = drawn
    assert names == ["sigmoid: known values", "sigmoid: matches the reference",
                     "train_step: shapes", "train_step: matches the reference step"]
    assert hidden == [False, True, False, True]
    assert rates == [1, 1 / 3, 2 / 3, 1 / 3]  # over ann, ben, cat: dan's unreadable notebook passes nothing


def test_pass_rates_are_coloured_by_rate():
    assert [plots.rate_colour(r) for r in (1, 0.8, 0.79, 0.5, 0.49, 0)] == [
        "tab:green", "tab:green", "tab:orange", "tab:orange", "tab:red", "tab:red"]
    fig = plots.pass_rates(["a", "b", "c"], [1.0, 0.6, 0.1], [False, True, False])
    colours = {tuple(bar.get_facecolor()) for bar in fig.axes[0].patches}
    assert len(colours) == 3


def test_accuracy_histogram_runs_from_0_to_100_percent():
    fig = plots.histogram([97.0], "Test accuracy of the trained networks", "Test accuracy (%)", 20, (0, 100))
    assert fig.axes[0].get_xlim() == (0, 100) and fig.axes[0].get_xlabel() == "Test accuracy (%)"


def test_reference_curve_stands_out_from_yours():
    lines = {line.get_label(): line for line in plots.curves(PLOTS).axes[0].get_lines()}
    yours, reference = lines["your network"], lines["reference solution"]
    assert reference.get_linestyle() == "--" and reference.get_color() != yours.get_color()
    assert reference.get_linewidth() > 1.5 * yours.get_linewidth()  # identical curves: it shows on both sides


# -- the pages in a real browser -----------------------------------------------------------------
PHONE = 500  # headless Chromium's narrowest window


@pytest.fixture(scope="module")
def pages(rows, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    found = {"summary": folder / "summary.html", "feedback": folder / "feedback.html",
             "self-check": folder / "check.html"}
    found["summary"].write_text(summary.render(rows, "MNIST MLP: class summary"))
    found["feedback"].write_text(feedback.render(rows[1], printed="x" * 300))
    check = report.results_json(Outcome("mnist_mlp", _checks([])))
    found["self-check"].write_text(feedback.render(check, title="Self-check (public checks only)"))
    return found


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
@pytest.mark.parametrize("width", [1280, PHONE])
@pytest.mark.parametrize("name", ["summary", "feedback", "self-check"])
def test_pages_use_the_width_and_wrap_long_text(pages, name, width, tmp_path):
    facts = layout(pages[name], width)
    assert facts["viewport"] == width
    assert facts["scrollWidth"] <= width, facts  # no sideways scrolling of the page
    assert facts["sideScrollers"] == 0, facts  # nor of any message: long hints wrap
    assert facts["overflowing"] == [], facts
    assert facts["mainWidth"] >= 0.85 * width, facts  # the column uses the page, not half of it,
    assert facts["contentRight"] >= 0.85 * width, facts  # and so do its figures, tables and messages
    shot = screenshot(pages[name], tmp_path / f"{name}-{width}.png", width)
    assert shot.stat().st_size > 10_000


def test_long_hints_are_in_the_page(pages):
    text = re.sub(r"\s+", " ", pages["self-check"].read_text())
    assert "think about the sign of x)" in text
