"""The message catalogues: complete, compiled, in step with the code; the language is chosen as documented."""
import gettext
import json
import re
import string
import warnings

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from autograder import assignment as assignments
from autograder import i18n
from browser import CHROMIUM, layout, screenshot
from kit import ROOT, RELEASE, run_cli

LANGUAGES = ["en", "ko"]
ASSIGNMENT = assignments.resolve("mnist_mlp")
ASSIGNMENTS = assignments.candidates()
# (the code a catalogue's messages are extracted from, its folder, its domain): see autograder/i18n.py
CATALOGUES = {"engine": (ROOT / "autograder", i18n.LOCALE_DIR, i18n.DOMAIN),
              **{f"{a.id} public checks": (a.release_dir, a.release_dir / "locale", i18n.CHECKS_DOMAIN)
                 for a in ASSIGNMENTS},
              **{f"{a.id} hidden checks": (a.hidden_tests, a.solution_dir / "locale", i18n.CHECKS_DOMAIN)
                 for a in ASSIGNMENTS}}
KEYWORDS = {**DEFAULT_KEYWORDS, "check": (2,), "NotImplementedError": (1,)}  # as `make messages` extracts them


def catalogue(name, language, suffix="po"):
    _code, folder, domain = CATALOGUES[name]
    return folder / language / "LC_MESSAGES" / f"{domain}.{suffix}"


def read_catalogue(name, language):
    with open(catalogue(name, language), "rb") as f:
        return read_po(f)


def wrapped_messages(name):
    """Every ``_()`` message and ``check()`` title in the catalogue's code, as Babel extracts it."""
    code = CATALOGUES[name][0]
    found = extract_from_dir(str(code), method_map=[("**.py", "python")], keywords=KEYWORDS)
    return {message for _file, _line, message, _comments, _context in found}


def fields(text):
    return sorted(name for _, name, spec, _ in string.Formatter().parse(text) if name is not None)


@pytest.mark.parametrize("name", CATALOGUES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_a_translation(name, language):
    po = read_catalogue(name, language)
    missing = sorted(wrapped_messages(name) - {m.id for m in po if m.id})
    assert not missing, f"not in the {language} catalogue of the {name} (run `make messages`): {missing}"
    untranslated = [m.id for m in po if m.id and (not m.string or m.fuzzy)]
    assert not untranslated, f"{name}, {language}: no translation (or a fuzzy one) for {untranslated}"
    mismatched = [m.id for m in po if m.id and fields(m.id) != fields(m.string)]
    assert not mismatched, f"{name}, {language}: the translation must keep the {{fields}} of {mismatched}"
    # What `pybabel compile` refuses, e.g. a "%" it reads as a %-format ("{n}% of" is "% o").
    refused = [(message.id, str(error)) for message, errors in po.check() for error in errors]
    assert not refused, f"{name}, {language}: `make messages` cannot compile {refused}"


@pytest.mark.parametrize("name", CATALOGUES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(name, language):
    with open(catalogue(name, language, "mo"), "rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = [m.id for m in read_catalogue(name, language) if m.id and compiled.gettext(m.id) != m.string]
    assert not stale, f"{name}, {language}: the .mo is older than the .po (run `make messages`): {stale}"


@pytest.mark.parametrize("assignment_id", [a.id for a in ASSIGNMENTS])
def test_the_public_catalogue_names_no_hidden_check(assignment_id):
    hidden = (wrapped_messages(f"{assignment_id} hidden checks") - wrapped_messages(f"{assignment_id} public checks")
              - wrapped_messages("engine"))
    public = {m.id for m in read_catalogue(f"{assignment_id} public checks", "ko")}
    assert hidden and not hidden & public


def test_language_comes_from_the_course_unless_overridden():
    assignment = ASSIGNMENT
    try:
        i18n.choose(assignment, "ko")
        assert i18n._("The checks are ready.") == "검사 준비가 끝났습니다."
        i18n.choose(assignment)  # assignment.toml says en
        assert i18n._("The checks are ready.") == "The checks are ready."
        with pytest.raises(ValueError, match="no catalogue"):
            i18n.set_language("xx")
    finally:
        i18n.set_language(None)


def test_check_train_speaks_korean(tmp_path):
    page = tmp_path / "feedback.html"
    proc = run_cli("check", RELEASE, "--train", "--lang", "ko", "--html", page, cwd=tmp_path, timeout=300)
    assert "학습이 중단되었습니다" in proc.stdout and "90% 구간: 도달하기 어렵습니다" in proc.stdout, proc.stdout
    assert "90% 구간: 도달하기 어렵습니다" in page.read_text(encoding="utf-8")


def test_no_message_is_translated_inside_an_f_string():
    """Babel (on Python 3.11) cannot see ``_()`` inside an f-string: such a message never reaches the catalogue."""
    import tokenize
    hidden = []
    for path in [*(ROOT / "autograder").rglob("*.py"), *(p for a in ASSIGNMENTS for p in a.release_dir.rglob("*.py")),
                 *(p for a in ASSIGNMENTS for p in a.hidden_tests.glob("*.py"))]:
        with tokenize.open(path) as f:
            for token in tokenize.generate_tokens(f.readline):
                prefix = token.string[:token.string.find(token.string.lstrip("rRbBfFuU")[:1])].lower()
                if token.type == tokenize.STRING and "f" in prefix and "_(" in token.string:
                    hidden.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    assert not hidden, f"_() inside an f-string, invisible to `make messages`: {hidden}"


HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def korean_grade(tmp_path_factory):
    """A submission with one softmax bug, graded for a Korean course (``--lang ko``)."""
    folder = tmp_path_factory.mktemp("ko")
    bug = ROOT / "tests" / "submissions" / "mutants" / "softmax_axis0.py"
    (folder / "minji.py").write_text(ASSIGNMENT.reference_path.read_text() + "\n\n" + bug.read_text())
    proc = run_cli("grade", folder / "minji.py", "--out", folder / "out", "--lang", "ko", "--assignment", "mnist_mlp")
    assert proc.returncode == 0, proc.stderr
    return folder / "out"


def test_feedback_is_korean_and_the_grade_sheet_english(korean_grade):
    results = json.loads((korean_grade / "minji" / "results.json").read_text())
    untranslated = [t["name"] for t in results["tests"] if not HANGUL.search(t["name"])]
    assert not untranslated, f"check titles not in Korean: {untranslated}"
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert failed and all(HANGUL.search(t["output"]) for t in failed), [t["output"] for t in failed]
    assert results["output"].startswith("점수: ") and "가능성 높은 원인: " in json.dumps(results, ensure_ascii=False)
    assert (korean_grade / "minji" / "feedback.md").read_text().startswith("# 피드백: minji")
    assert results["extra_data"]["status"] == "graded"  # the instructor's vocabulary stays English
    assert ",graded" in (korean_grade / "grades.csv").read_text()


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_korean_feedback_page_in_a_browser(korean_grade, tmp_path):
    page = korean_grade / "minji" / "feedback.html"
    html = page.read_text(encoding="utf-8")
    assert '<html lang="ko">' in html and '<b>가능성 높은 원인:</b>' in html and "기대값" in html
    facts = layout(page, 1280)
    assert facts["scrollWidth"] <= 1280 and facts["overflowing"] == [], facts
    assert screenshot(page, tmp_path / "feedback-ko.png", 1280).stat().st_size > 10_000


def test_figures_draw_hangul_with_a_korean_font():
    """Matplotlib warns of each glyph its fonts lack: none may be missing (fonts-nanum, .ci/run)."""
    from autograder.pages import plots
    try:
        i18n.set_language("ko")
        curve = {"x": [0, 300, 600], "y": [2.3, 0.4, 0.3]}
        figure = plots.curves([{"title": "학습 손실", "xlabel": i18n._("training step"), "ylabel": "교차 엔트로피",
                                "series": {"yours": curve, "reference": curve}}])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            plots.img(figure, "")
    finally:
        i18n.set_language(None)
