"""The message catalogues: complete, compiled, in step with the code; the language is chosen as documented."""
import gettext
import string

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from autograder import assignment as assignments
from autograder import i18n
from kit import ROOT, RELEASE, run_cli

LANGUAGES = ["en", "ko"]


def catalogue(language):
    with open(i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po", "rb") as f:
        return read_po(f)


def wrapped_messages():
    """Every ``_()`` message in the engine's code, as Babel extracts it (babel.cfg)."""
    found = extract_from_dir(str(ROOT / "autograder"), method_map=[("**.py", "python")])
    return {message for _file, _line, message, _comments, _context in found}


def fields(text):
    return sorted(name for _, name, spec, _ in string.Formatter().parse(text) if name is not None)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_a_translation(language):
    po = catalogue(language)
    missing = sorted(wrapped_messages() - {m.id for m in po if m.id})
    assert not missing, f"not in the {language} catalogue (run `make messages`): {missing}"
    untranslated = [m.id for m in po if m.id and (not m.string or m.fuzzy)]
    assert not untranslated, f"{language}: no translation (or a fuzzy one) for {untranslated}"
    mismatched = [m.id for m in po if m.id and fields(m.id) != fields(m.string)]
    assert not mismatched, f"{language}: the translation must keep the {{fields}} of {mismatched}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    with open(i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = [m.id for m in catalogue(language) if m.id and compiled.gettext(m.id) != m.string]
    assert not stale, f"{language}: the .mo is older than the .po (run `make messages`): {stale}"


def test_language_comes_from_the_course_unless_overridden():
    assignment = assignments.resolve("mnist_mlp")
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
